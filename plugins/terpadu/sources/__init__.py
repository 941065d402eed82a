"""The four sectoral sources: contracts (contracts.py), NIK rules (nik.py) and readers."""
