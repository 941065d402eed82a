"""The readiness report's glossary ("Istilah"), shared by the HTML page and the PDF so both explain
the same terms the same way. Plain text, Bahasa Indonesia."""

from __future__ import annotations

GLOSSARY: list[tuple[str, str]] = [
    ("DTSEN", "Data Tunggal Sosial dan Ekonomi Nasional: satu daftar untuk semua program bansos (Inpres 4/2025)."),
    ("NIK", "Nomor Induk Kependudukan, 16 digit: kode provinsi, kab/kota, kecamatan, tanggal lahir "
            "(perempuan +40), nomor urut. Di laporan ini NIK disamarkan (mis. 8171********0001) sesuai UU PDP."),
    ("KK", "Nomor Kartu Keluarga; berubah bila keluarga pindah atau pecah."),
    ("Dukcapil, DTKS, Regsosek", "Data kependudukan (Kemendagri), data kesejahteraan sosial (Kemensos), dan "
                                 "registrasi sosial ekonomi (BPS)."),
    ("PKH, BPNT/Sembako, PBI-JK", "Program Keluarga Harapan, Bantuan Pangan Non Tunai, Penerima Bantuan Iuran "
                                  "Jaminan Kesehatan."),
    ("Desil", "Peringkat kesejahteraan dari BPS: seluruh penduduk dibagi sepuluh kelompok sama besar; "
              "desil 1 = 10% termiskin."),
    ("Inclusion / exclusion error", "Penerima yang tidak memenuhi syarat / orang yang memenuhi syarat tetapi "
                                    "tidak menerima."),
    ("Skor kesiapan, target, tenggat", "Skor kesiapan menggabungkan NIK valid, kecocokan dengan Dukcapil, cakupan "
                                       "dan NIK ganda. Target adalah skor yang harus dicapai; tenggat adalah batas "
                                       "waktu nasional agar data siap (Oktober 2026)."),
    ("Perkiraan (forecast)", "Garis lurus melalui skor beberapa rilis terakhir; hanya perkiraan, berubah bila laju "
                             "perbaikan berubah. Perlu sedikitnya dua rilis."),
    ("Sanggahan", "Keberatan warga terhadap seorang penerima bansos (menu \"Sanggah\" di aplikasi Cek Bansos atau "
                  "musyawarah desa). Daerah memverifikasinya lalu memutuskan DITERIMA atau DITOLAK."),
    ("SLA (batas waktu 14 hari)", "Batas waktu layanan: sanggahan harus diverifikasi daerah dalam 14 hari sejak "
                                  "diajukan. Sanggahan yang belum diputuskan setelah itu \"melewati batas waktu\" "
                                  "dan menurut aturan Cek Bansos dianggap tidak diterima."),
    ("Ground check", "Kunjungan lapangan oleh pendamping sosial (PKH) untuk memastikan keadaan keluarga. Hasilnya: "
                     "LAYAK, TIDAK LAYAK, PINDAH, MENINGGAL atau TIDAK DITEMUKAN."),
    ("Periode berlaku", "Hasil ground check yang dilaporkan pada suatu periode (bulan) baru diterapkan mulai "
                        "periode berikutnya; \"sudah diterapkan\" berarti hasilnya sudah mengubah data pada run ini."),
    ("Data bertanda, penyelesaian ground check", "Orang bertanda adalah orang yang punya sedikitnya satu temuan "
                                                 "(lihat Temuan per jenis). Penyelesaian ground check atas data "
                                                 "bertanda: berapa dari mereka yang sudah dikunjungi ground check "
                                                 "(hasil apa pun, sampai periode run ini). Bila tidak ada orang "
                                                 "bertanda, tidak ada angkanya: ditulis \"tidak ada data bertanda\", "
                                                 "bukan 0%."),
    ("Usulan", "Permintaan agar seseorang dimasukkan ke daftar (menu \"Usul\" di Cek Bansos atau musyawarah desa). "
               "Terpadu memeriksa NIK-nya: baru dan cocok dengan Dukcapil, sudah terdaftar, NIK tidak valid, atau "
               "NIK tidak ditemukan."),
    ("Clerical review (pasangan untuk diputuskan)", "Rekaman DTKS atau Regsosek yang mungkin orang yang sama dengan "
                                                    "seorang penduduk Dukcapil, tetapi kecocokannya tidak cukup pasti "
                                                    "untuk diputuskan mesin. Petugas mencocokkan dengan KTP/KK lalu "
                                                    "memutuskan: orang yang sama atau bukan."),
    ("Daftar kerja (worklist)", "Berkas Excel per kecamatan berisi data yang perlu diperbaiki atau diputuskan, dengan "
                                "alasan dan tindakan; NIK lengkap hanya ada di sana, untuk petugas daerah sendiri."),
    ("Pemeriksaan mutu", "Aturan otomatis (Great Expectations) yang harus lolos sebelum rilis diterbitkan; peringatan "
                         "tidak menahan rilis."),
]
