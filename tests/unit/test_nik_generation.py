"""The simulator's NIKs must be what stdnum (and so the pipeline) accepts, and decode back."""

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import numdb
from stdnum.id import nik as stdnik
from terpadu.reference import districts
from terpadu.simulate import nik as nikmod

# stdnum's location table predates Kalimantan Utara (65) and the new Papua provinces (92–96): see report
_DB = numdb.get("id/loc")
KECAMATAN = sorted(int(k.replace(".", "")) for k in districts() if _DB.info(k.replace(".", "")[:4])[0][1])


@settings(max_examples=300, deadline=None)
@given(kec=st.sampled_from(KECAMATAN), day=st.dates(dt.date(1921, 1, 1), dt.date(2019, 12, 31)),
       female=st.booleans(), serial=st.integers(1, 9999))
def test_generated_nik_validates_and_decodes(kec, day, female, serial):
    value = nikmod.compose(np.array([kec]), np.array([np.datetime64(day)]), np.array([female]), np.array([serial]))
    text = nikmod.to_text(value)[0]
    assert len(text) == 16 and text.isdigit()
    assert stdnik.is_valid(text)
    decoded = stdnik.get_birth_date(text)
    assert (decoded.month, decoded.day, decoded.year % 100) == (day.month, day.day, day.year % 100)
    assert (int(text[6:8]) > 40) == female
    assert int(text[:6]) == kec and int(text[12:]) == serial


def test_region_serials_unique_across_chunks():
    kec = [350101, 350102]
    serials = nikmod.RegionSerials(kec)
    rng = np.random.default_rng(1)
    days = np.datetime64("1980-01-01") + rng.integers(0, 30, 5000).astype("timedelta64[D]")
    ks = np.array(kec)[rng.integers(0, 2, 5000)]
    female = rng.random(5000) < 0.5
    a = nikmod.compose(ks[:2500], days[:2500], female[:2500], serials.take(ks[:2500], days[:2500]))
    b = nikmod.compose(ks[2500:], days[2500:], female[2500:], serials.take(ks[2500:], days[2500:]))
    allv = np.r_[a, b]
    assert len(np.unique(allv)) == len(allv)
    # serials start at 1 and are dense per (kecamatan, date)
    s = allv % 10_000
    assert s.min() == 1 and s.max() <= 4999


def test_migrant_serials_do_not_collide_with_natives():
    native = nikmod.RegionSerials([810101]).take(np.array([810101] * 3), np.array(["1990-01-01"] * 3, "datetime64[D]"))
    mig = nikmod.MigrantSerials().take(np.array([810101] * 3), np.array(["1990-01-01"] * 3, "datetime64[D]"))
    assert set(native.tolist()) == {1, 2, 3} and set(mig.tolist()) == {5001, 5002, 5003}
