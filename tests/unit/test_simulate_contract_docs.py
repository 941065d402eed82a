"""docs/contracts/*.md must describe the contract in contracts.py: the generated column tables are
current, every page the contract points to exists, and the example rows carry the contract's columns."""

import re

from terpadu.simulate import contract_docs
from terpadu.sources import contracts as c


def test_column_tables_match_contracts():
    generated = contract_docs.blocks(with_examples=False)
    for page in contract_docs.DOCS.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert contract_docs.render(text, generated) == text, f"{page.name} is stale: run " \
            "python -m terpadu.simulate.contract_docs"


def test_every_source_has_a_page_with_all_columns_and_an_example():
    readme = (contract_docs.DOCS / "README.md").read_text(encoding="utf-8")
    for source in c.SOURCES.values():
        page = contract_docs.DOCS.parent.parent / source.doc
        text = page.read_text(encoding="utf-8")
        assert page.name in readme
        for entity in source.entities:
            assert f"<!-- generated:{source.name}.{entity.name}.columns -->" in text
            assert entity.file_pattern in text
            for column in entity.columns:
                assert f"| `{column.name}` |" in text, (source.name, column.name)
        example = re.search(rf"<!-- generated:{source.name}\.example -->\n(.*?)<!-- /generated -->", text, re.S)
        assert example and example.group(1).count("| `") >= len(source.entities[0].columns), source.name


def test_column_table_names_ingest_rules():
    table = contract_docs.columns_table(c.KABKOTA, c.KABKOTA.entity("sanggahan"))
    row = next(line for line in table.splitlines() if "`NIK_TERSANGGAH`" in line)
    assert "`nik_unusable`" in row and "`required_missing`" in row
    dtks = contract_docs.columns_table(c.DTKS, c.DTKS.entities[0])
    assert "| `NIK` | nik | no |" in dtks and "`desa_outside_region`" in dtks
