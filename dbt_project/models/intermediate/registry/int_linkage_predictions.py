"""One row per candidate pair (listed record to link x Dukcapil resident) scored by Splink.

The probabilistic stage of identity resolution: terpadu.linkage.predict_links (plugins/terpadu/
linkage) trains a Fellegi-Sunter model on int_linkage_records and scores the records the NIK match
left unresolved. Pairs below var('linkage_probability_floor') are not stored. Thresholds that turn
probabilities into decisions are applied downstream (int_person_source_records).
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from terpadu.linkage import predict_links

    relation = dbt.ref("int_linkage_records")
    records = relation.fetch_arrow_table() if hasattr(relation, "fetch_arrow_table") else relation.arrow()
    floor = float(dbt.config.get("probability_floor"))
    seed = int(dbt.config.get("training_seed"))
    return predict_links(records, floor=floor, seed=seed)
