"""Indonesian personal names with the variety matching has to survive.

Why not just faker: faker's id_ID locale draws "first last" pairs from one national pool, so every
region looks like Jakarta and no name is a single word. Real registries mix single Javanese names
(Sutrisno, Suparmi), inherited family names (Batak marga, Minahasa/Ambon/NTT/Papua fam), Balinese
birth-order names (I Wayan / Ni Made ...), Sasak and Bugis noble prefixes (Lalu, Baiq, Andi),
spelling variants of Muhammad (Muhamad, Moch., M.) and academic titles (Drs., Ir., S.Pd.).
Record linkage downstream is only tested honestly if the names are like that.

`NameGenerator.generate` is vectorised per culture group: choices are numpy index draws into the
pools below, the only per-row Python is the final string join.
"""

from __future__ import annotations

import numpy as np

# --- pools -------------------------------------------------------------------------------------
JAWA_M = ("Sutrisno Suparman Bambang Joko Slamet Sugiyono Supriyadi Wahyudi Sukirno Suwarno Parjo Sumarno "
          "Agus Budi Heru Eko Hadi Teguh Purnomo Sugeng Mulyono Darmaji Sarwono Triyono Widodo Suyanto "
          "Gunawan Tukiman Paiman Kasiman Ngadiman Sukardi Wiyono Hartono Suroso Rudi Yanto Tarno").split()
JAWA_F = ("Suparmi Sumiyati Sri Wahyuni Siti Aminah Tukinem Painem Sulastri Suminah Partini Lestari Mulyani "
          "Sriyani Wartini Ngatini Sukarni Endang Sunarti Rukmini Sumarni Yuli Tri Handayani Suprihatin "
          "Kasmini Wagiyem Sutinah Sarinah Dwi Rahayu Purwanti Nanik Tumini").split()
JAWA_SUFFIX = ("Santoso Setiawan Prasetyo Susanto Wibowo Nugroho Purnomo Saputro Hidayat Kurniawan Utomo "
               "Wijayanto Pranoto Raharjo Sulistyo").split()
JAWA_F_SUFFIX = ("Wahyuni Lestari Rahayu Handayani Susanti Rahmawati Wulandari Setyowati Kusumawati "
                 "Purwaningsih Astuti Fitriani").split()
SUNDA_M = "Asep Ujang Dede Cecep Yayan Encep Dadang Ade Iwan Ujang Maman Aep Deden Ridwan Yusuf".split()
SUNDA_F = "Euis Neneng Iis Imas Cucu Enung Eneng Popon Nining Yati Entin Tati Rina Lilis".split()
SUNDA_SUFFIX = "Suryana Sunandar Hidayat Rusmana Permana Sopandi Mulyana Kusnadi Nugraha Saepudin".split()
MUSLIM_M = ("Ahmad Abdul Hasan Husain Ali Umar Usman Ismail Ibrahim Yusuf Ridwan Syamsul Zainal Arifin "
            "Rahmat Hidayat Syahrul Zulkifli Fauzi Hamzah Iskandar Nasrullah Anwar Khairul Amir Jamaluddin "
            "Hasanuddin Baharuddin Saiful Faisal Rizal Irfan Taufik Munir Salim").split()
MUSLIM_F = ("Siti Nur Aisyah Fatimah Khadijah Nurhayati Halimah Zainab Rahmah Maryam Aminah Nurjannah Salmah "
            "Rosmini Hasnah Nuraini Jumiati Rahmawati Yusnidar Asmah Nurlela Sitti Hadijah Kartini Ramlah").split()
MUSLIM_F_SUFFIX = "Aminah Rahmawati Hasanah Fitriani Safitri Khairunnisa Azizah Maulida Lestari".split()
MODERN_M = ("Rizky Dimas Aditya Fajar Bayu Reza Dani Yoga Ilham Arif Putra Andika Galih Rendi Farhan Naufal "
            "Alif Rafi Zidan Akbar Rangga Kevin Hafiz Fikri").split()
MODERN_F = ("Putri Ayu Dewi Anisa Nabila Aulia Salsabila Intan Citra Dinda Rina Tiara Nadia Fitri Indah "
            "Amelia Zahra Keisha Aurel Nayla Azzahra Rahma").split()
MODERN_SUFFIX = ("Pratama Saputra Ramadhan Firmansyah Maulana Hidayat Wijaya Permana Kurniawan Setiawan "
                 "Lestari Anggraini Maharani Safitri Ramadhani Puspita Oktaviani").split()
MUHAMMAD = ("Muhammad", "Muhammad", "Muhammad", "Muhamad", "Mohammad", "Mochammad", "Moch.", "Moh.", "M.")
CHRISTIAN_M = ("Yohanes Petrus Paulus Markus Yakobus Fransiskus Stefanus Daniel Samuel Yosef Jefri Frans "
               "Ronald Stenly Fredy Johny Hendrik Marthen Yulius Roy Alfons Agustinus Benny Noël").split()
CHRISTIAN_F = ("Maria Magdalena Yuliana Agustina Elisabeth Martha Theresia Ribka Meylan Christine Natalia "
               "Debora Oktavia Yohana Margaretha Selvi Febriani Lenny Anneke Renée Zoë Désy").split()
BATAK_MARGA = ("Simanjuntak Siregar Nasution Hutapea Sitorus Situmorang Panjaitan Simatupang Harahap Lubis "
               "Pasaribu Sinaga Manurung Silalahi Tampubolon Hutagalung Sihombing Napitupulu Marpaung Sembiring "
               "Ginting Tarigan Purba Damanik").split()
MINAHASA_FAM = ("Wenas Lumempouw Mandagi Rumondor Pangemanan Tumbelaka Sondakh Rondonuwu Kaunang Lengkong "
                "Mamahit Lumentut Tambayong Walangitan Karundeng Supit Runtuwene Worang").split()
AMBON_KRISTEN = ("Pattinama Tuhumury Latumahina Leiwakabessy Pattiasina Matulessy Sahetapy Wattimena Siahaya "
                 "Tanamal Pical Manuputty Nanlohy Pattipeilohy Lewerissa Huwae").split()
AMBON_ISLAM = ("Latuconsina Tuasikal Ohorella Marasabessy Tuanaya Pelu Tuahuns Sangadji Lessy Wally "
               "Tehupelasury Rumra Tuankotta Hatala").split()
NTT_FAM = "Ndoen Lay Manafe Fanggidae Bana Nenobais Tefa Benu Pah Tallo Messakh Kana Mbura Nope Taopan".split()
PAPUA_FAM = ("Wenda Kogoya Yikwa Wanimbo Tabuni Wonda Murib Rumbiak Mandacan Kambuaya Ayomi Wompere "
             "Rumaropen Mansawan Kaiway Gebze Mahuze Ndiken Karoba Itlay").split()
DAYAK_GIVEN = "Ahen Lawing Anyeq Usat Lahang Bilung Juan Ding Bato Ngau".split()
CHINESE_GIVEN_M = "Hendra Budi Wijaya Andi Kurnia Sugianto Tjandra Hartono Rudy Steven Jimmy Handoko".split()
CHINESE_GIVEN_F = "Lili Susan Lisa Mei Lan Linda Yenny Sinta Shinta Vivian Meliana Fenny".split()
CHINESE_FAM = "Gunawan Wijaya Halim Tanoto Salim Kurniawan Tanjaya Susanto Hartono Santoso Setiadi Widjaja Lim".split()
BALI_ORDER_M = (("Wayan", "Putu", "Gede"), ("Made", "Kadek"), ("Nyoman", "Komang"), ("Ketut",))
BALI_ORDER_F = (("Wayan", "Putu", "Luh"), ("Made", "Kadek"), ("Nyoman", "Komang"), ("Ketut",))
BALI_GIVEN_M = "Sudarsana Suardana Artawan Wirawan Sudiarta Suarjana Adnyana Darmawan Mertayasa Sukadana".split()
BALI_GIVEN_F = "Sukerti Suartini Ariani Astiti Sriani Wiradani Sumiati Kartini Sudiasih Rasmini Ayu".split()
BALI_CASTE = ("Ida Bagus", "Anak Agung", "Gusti", "Cokorda")
BALI_CASTE_F = ("Ida Ayu", "Anak Agung Ayu", "Gusti Ayu", "Cokorda Istri")
TITLES_PRE_OLD = ("Drs.", "Ir.", "Dr.")
TITLES_PRE_OLD_F = ("Dra.", "Ir.", "Dr.")
TITLES_POST = ("S.Pd.", "S.E.", "S.H.", "S.Sos.", "S.T.", "S.Kom.", "S.Ag.", "A.Md.", "S.Kep.", "M.Pd.")

# Culture groups; each maps to a religion distribution (AGAMA in Dukcapil spelling).
CULTURES = ("jawa", "sunda", "muslim", "batak", "minahasa", "ambon_kristen", "ambon_islam", "bali", "sasak",
            "bugis", "ntt", "papua", "dayak", "chinese")
RELIGIONS = ("ISLAM", "KRISTEN", "KATHOLIK", "HINDU", "BUDHA", "KONGHUCU")
_RELIGION_P = {
    "jawa": (0.96, 0.02, 0.02, 0, 0, 0), "sunda": (0.99, 0.01, 0, 0, 0, 0), "muslim": (0.98, 0.01, 0.01, 0, 0, 0),
    "batak": (0.3, 0.6, 0.1, 0, 0, 0), "minahasa": (0.05, 0.85, 0.1, 0, 0, 0),
    "ambon_kristen": (0, 0.9, 0.1, 0, 0, 0), "ambon_islam": (1, 0, 0, 0, 0, 0), "bali": (0.02, 0.01, 0.01, 0.96, 0, 0),
    "sasak": (1, 0, 0, 0, 0, 0), "bugis": (0.99, 0.01, 0, 0, 0, 0), "ntt": (0.08, 0.55, 0.37, 0, 0, 0),
    "papua": (0.05, 0.75, 0.2, 0, 0, 0), "dayak": (0.1, 0.5, 0.4, 0, 0, 0), "chinese": (0, 0.3, 0.2, 0, 0.4, 0.1),
}
# Which culture groups live where (by province code); the rest of Indonesia is mostly "muslim"/"jawa".
_MIX = {
    "11": {"muslim": 0.95, "jawa": 0.05},
    "12": {"batak": 0.45, "muslim": 0.3, "jawa": 0.15, "chinese": 0.1},
    "13": {"muslim": 0.9, "jawa": 0.05, "batak": 0.05},
    "18": {"jawa": 0.65, "muslim": 0.25, "sunda": 0.1},
    "31": {"muslim": 0.35, "jawa": 0.3, "sunda": 0.15, "batak": 0.08, "chinese": 0.07, "minahasa": 0.05},
    "32": {"sunda": 0.75, "jawa": 0.15, "muslim": 0.1}, "36": {"sunda": 0.5, "muslim": 0.3, "jawa": 0.2},
    "33": {"jawa": 0.97, "chinese": 0.03}, "34": {"jawa": 0.95, "chinese": 0.05},
    "35": {"jawa": 0.85, "muslim": 0.12, "chinese": 0.03},
    "51": {"bali": 0.85, "jawa": 0.1, "muslim": 0.05},
    "52": {"sasak": 0.8, "bali": 0.1, "muslim": 0.1},
    "53": {"ntt": 0.9, "muslim": 0.1},
    "61": {"muslim": 0.4, "dayak": 0.3, "chinese": 0.15, "jawa": 0.15},
    "62": {"dayak": 0.45, "muslim": 0.35, "jawa": 0.2}, "63": {"muslim": 0.85, "jawa": 0.15},
    "64": {"muslim": 0.35, "jawa": 0.3, "bugis": 0.25, "dayak": 0.1},
    "65": {"bugis": 0.35, "muslim": 0.3, "dayak": 0.2, "jawa": 0.15},
    "71": {"minahasa": 0.8, "muslim": 0.15, "chinese": 0.05},
    "72": {"bugis": 0.45, "muslim": 0.4, "minahasa": 0.1, "jawa": 0.05},
    "73": {"bugis": 0.85, "muslim": 0.05, "chinese": 0.05, "minahasa": 0.05},
    "74": {"bugis": 0.6, "muslim": 0.3, "jawa": 0.1}, "75": {"muslim": 0.9, "minahasa": 0.1},
    "76": {"bugis": 0.85, "muslim": 0.1, "jawa": 0.05},
    "81": {"ambon_kristen": 0.45, "ambon_islam": 0.42, "bugis": 0.08, "jawa": 0.05},
    "82": {"ambon_islam": 0.3, "muslim": 0.5, "ambon_kristen": 0.1, "bugis": 0.1},
    "papua": {"papua": 0.6, "bugis": 0.15, "jawa": 0.15, "ambon_kristen": 0.05, "ntt": 0.05},
}


def culture_mix(province_code: str) -> tuple[np.ndarray, np.ndarray]:
    """(culture indices, probabilities) for a province; Papua's six provinces share one mix."""
    mix = _MIX.get("papua" if province_code >= "91" else province_code, {"muslim": 0.55, "jawa": 0.35, "bugis": 0.1})
    idx = np.array([CULTURES.index(c) for c in mix])
    p = np.array(list(mix.values()), dtype=float)
    return idx, p / p.sum()


def religion_for(rng: np.random.Generator, culture: np.ndarray) -> np.ndarray:
    """One religion index per family, drawn from its culture's distribution."""
    out = np.zeros(len(culture), dtype=np.int8)
    u = rng.random(len(culture))
    for ci, name in enumerate(CULTURES):
        mask = culture == ci
        if mask.any():
            cdf = np.cumsum(_RELIGION_P[name])
            out[mask] = np.searchsorted(cdf / cdf[-1], u[mask], side="right").clip(0, 5)
    return out


def _pick(rng: np.random.Generator, pool, n: int) -> np.ndarray:
    arr = np.asarray(pool, dtype=object)
    return arr[rng.integers(0, len(arr), n)]


class NameGenerator:
    """Draws given names per person and family names per family, by culture."""

    def family_names(self, rng: np.random.Generator, culture: np.ndarray) -> np.ndarray:
        """An inherited family name per family ('' for cultures without one)."""
        out = np.full(len(culture), "", dtype=object)
        for key, pool in (("batak", BATAK_MARGA), ("minahasa", MINAHASA_FAM), ("ambon_kristen", AMBON_KRISTEN),
                          ("ambon_islam", AMBON_ISLAM), ("ntt", NTT_FAM), ("papua", PAPUA_FAM),
                          ("chinese", CHINESE_FAM)):
            mask = culture == CULTURES.index(key)
            out[mask] = _pick(rng, pool, int(mask.sum()))
        return out

    def given_names(self, rng: np.random.Generator, culture: np.ndarray, female: np.ndarray,
                    birth_year: np.ndarray, birth_order: np.ndarray, surname: np.ndarray,
                    religion: np.ndarray) -> np.ndarray:
        """Full legal name per person (no religious titles; those are added as variants by defects)."""
        n = len(culture)
        first = np.full(n, "", dtype=object)
        second = np.full(n, "", dtype=object)
        modern = birth_year >= 1990
        u = rng.random(n)
        for ci, key in enumerate(CULTURES):
            m = culture == ci
            if not m.any():
                continue
            for fem in (False, True):
                mm = m & (female == fem)
                k = int(mm.sum())
                if not k:
                    continue
                if key in ("jawa", "sunda", "muslim", "bugis", "sasak", "ambon_islam"):
                    base_first = {"jawa": JAWA_F if fem else JAWA_M, "sunda": SUNDA_F if fem else SUNDA_M}.get(
                        key, MUSLIM_F if fem else MUSLIM_M)
                    f = _pick(rng, base_first, k)
                    s = _pick(rng, (JAWA_F_SUFFIX if key == "jawa" else MUSLIM_F_SUFFIX) if fem else
                              (JAWA_SUFFIX if key == "jawa" else SUNDA_SUFFIX if key == "sunda" else MUSLIM_M), k)
                    # older Javanese/Sundanese: mostly a single word; younger: modern two/three words
                    single_p = 0.55 if key in ("jawa", "sunda") else 0.2
                    uu = u[mm]
                    s = np.where(uu < single_p, "", s)
                    mod = modern[mm] & (rng.random(k) < 0.7)
                    f = np.where(mod, _pick(rng, MODERN_F if fem else MODERN_M, k), f)
                    s = np.where(mod, _pick(rng, MODERN_SUFFIX, k), s)
                    if not fem:  # Muhammad and its spellings as a first word
                        muh = rng.random(k) < (0.25 if key != "jawa" else 0.12)
                        s = np.where(muh, f + np.where(s == "", "", " ") + s, s)
                        f = np.where(muh, _pick(rng, MUHAMMAD, k), f)
                    if key == "bugis":  # Andi for noble descent
                        andi = rng.random(k) < 0.08
                        s = np.where(andi, f + np.where(s == "", "", " ") + s, s)
                        f = np.where(andi, "Andi", f)
                    if key == "sasak":
                        noble = rng.random(k) < 0.08
                        s = np.where(noble, f + np.where(s == "", "", " ") + s, s)
                        f = np.where(noble, "Baiq" if fem else "Lalu", f)
                    if key == "ambon_islam":
                        s = surname[mm]
                elif key == "bali":
                    order = np.clip(birth_order[mm], 0, None) % 4
                    orders = BALI_ORDER_F if fem else BALI_ORDER_M
                    o = np.array([orders[i][j % len(orders[i])] for i, j in zip(order, rng.integers(0, 6, k),
                                                                                 strict=True)], dtype=object)
                    caste = rng.random(k) < 0.08
                    prefix = np.where(caste, _pick(rng, BALI_CASTE_F if fem else BALI_CASTE, k), "Ni" if fem else "I")
                    f = prefix + " " + np.where(caste, "", o + " ")
                    f = np.array([x.strip() for x in f], dtype=object)
                    s = _pick(rng, BALI_GIVEN_F if fem else BALI_GIVEN_M, k)
                elif key == "chinese":
                    f = _pick(rng, CHINESE_GIVEN_F if fem else CHINESE_GIVEN_M, k)
                    s = surname[mm]
                else:  # Christian given name(s) + inherited family name
                    f = _pick(rng, CHRISTIAN_F if fem else CHRISTIAN_M, k)
                    if key == "dayak":
                        s = _pick(rng, DAYAK_GIVEN, k)
                    else:
                        mid = rng.random(k) < 0.3
                        f = np.where(mid, f + " " + _pick(rng, CHRISTIAN_F if fem else CHRISTIAN_M, k), f)
                        s = surname[mm]
                first[mm] = f
                second[mm] = s
        # object-array concatenation runs in C; '' second parts leave the first word alone
        return np.where(second == "", first, first + " " + second).astype(object)

    def add_academic_titles(self, rng: np.random.Generator, names: np.ndarray, educated: np.ndarray,
                            birth_year: np.ndarray, female: np.ndarray) -> np.ndarray:
        """Graduates keep degrees in their registered name (Dukcapil allows it since 2022)."""
        out = names.copy()
        take = educated & (rng.random(len(names)) < 0.35)
        old = take & (birth_year < 1975) & (rng.random(len(names)) < 0.5)
        post = take & ~old
        pre_m = _pick(rng, TITLES_PRE_OLD, len(names))
        pre_f = _pick(rng, TITLES_PRE_OLD_F, len(names))
        suf = _pick(rng, TITLES_POST, len(names))
        out[old] = np.where(female[old], pre_f[old], pre_m[old]) + " " + names[old]
        out[post] = names[post] + ", " + suf[post]
        return out
