-- Published, typed loads: one table per source. Every row carries the batch that
-- published it and its row number in the delivered file (header = row 1; for xlsx the
-- worksheet row), so any figure can be traced back to a file and a line.
-- Region codes are stored canonical: 'PP' or 'PP.KK'. Enum values upper case.

CREATE TABLE raw.kepesertaan (
    periode          date    NOT NULL,  -- first day of the cut-off month
    kode_wilayah     text    NOT NULL,
    nama_wilayah     text,
    segmen           text    NOT NULL,
    kategori_pekerja text    NOT NULL,
    sumber_iuran     text    NOT NULL,
    tk_terdaftar     bigint  NOT NULL,
    tk_aktif         bigint  NOT NULL,
    tk_baru          bigint  NOT NULL,
    tk_keluar        bigint  NOT NULL,
    jumlah_proyek    bigint,
    iuran_rp         bigint  NOT NULL,
    batch_id         bigint  NOT NULL,
    source_row       integer NOT NULL
);
CREATE INDEX kepesertaan_periode ON raw.kepesertaan (periode);

-- Pseudonymised: no NIK, name or birth date. peserta_id = HMAC-SHA256(key, NIK) hex.
-- Flags computed from the clear NIK by the parser before it was dropped.
CREATE TABLE raw.peserta_rentan (
    periode               date     NOT NULL,
    peserta_id            text     NOT NULL,
    jenis_kelamin         text     NOT NULL,
    tahun_lahir           smallint,
    kode_wilayah_domisili text     NOT NULL,
    sumber_iuran          text     NOT NULL,
    kode_pemda_pembayar   text,               -- NULL for CSR
    program               text     NOT NULL,
    tanggal_mulai         date     NOT NULL,
    status                text     NOT NULL,
    iuran_rp              bigint   NOT NULL,
    nik_valid             boolean  NOT NULL,  -- 16 digits with a real embedded date
    nik_tanggal_cocok     boolean,            -- embedded birth date = tanggal_lahir
    nik_kelamin_cocok     boolean,            -- embedded sex (DD+40) = jenis_kelamin
    nik_kode_wilayah      text,               -- PP.KK of the NIK's registration kecamatan
    batch_id              bigint   NOT NULL,
    source_row            integer  NOT NULL
) PARTITION BY LIST (periode);

CREATE TABLE raw.anggaran (
    tahun             integer       NOT NULL,
    versi             text          NOT NULL,
    kode_pemda        text          NOT NULL,
    nama_pemda        text,
    kode_skpd         text,
    nama_skpd         text,
    kode_sub_kegiatan text          NOT NULL,
    nama_sub_kegiatan text,
    kode_rekening     text          NOT NULL,
    uraian_rekening   text,
    sasaran           text          NOT NULL,
    target_peserta    bigint        NOT NULL,
    pagu_rp           numeric(18,2) NOT NULL,
    batch_id          bigint        NOT NULL,
    source_row        integer       NOT NULL
);
CREATE INDEX anggaran_tahun_versi ON raw.anggaran (tahun, versi);

CREATE TABLE raw.realisasi (
    tahun                  integer       NOT NULL,
    bulan                  integer       NOT NULL,
    kode_pemda             text          NOT NULL,
    kode_sub_kegiatan      text          NOT NULL,
    kode_rekening          text          NOT NULL,
    sasaran                text          NOT NULL,
    realisasi_kumulatif_rp numeric(18,2) NOT NULL,
    peserta_dibayar        bigint        NOT NULL,
    batch_id               bigint        NOT NULL,
    source_row             integer       NOT NULL
);
CREATE INDEX realisasi_tahun_bulan ON raw.realisasi (tahun, bulan);

-- Reference data (contract §5). A delivery replaces the whole table.
CREATE TABLE raw.wilayah (                    -- region seed, Kepmendagri 300.2.2-2138/2025
    kode             text PRIMARY KEY,
    kode_tanpa_titik text NOT NULL UNIQUE,
    nama             text NOT NULL,
    tingkat          text NOT NULL CHECK (tingkat IN ('PROVINSI', 'KABUPATEN', 'KOTA')),
    kode_provinsi    text NOT NULL
);
CREATE TABLE raw.penduduk_bekerja (
    tahun integer NOT NULL, kode_wilayah text NOT NULL, penduduk_bekerja bigint NOT NULL,
    sumber text, batch_id bigint, source_row integer
);
CREATE TABLE raw.potensi_peserta (
    tahun integer NOT NULL, kode_wilayah text NOT NULL, potensi_pu bigint NOT NULL,
    potensi_bpu bigint NOT NULL, potensi_jakon bigint NOT NULL, sumber text,
    batch_id bigint, source_row integer
);
CREATE TABLE raw.target_ucj (
    tahun integer NOT NULL, kode_wilayah text NOT NULL, sumber_target text NOT NULL,
    target_persen numeric(7,3) NOT NULL, batch_id bigint, source_row integer
);
CREATE TABLE raw.wilayah_perubahan (
    kode_lama text NOT NULL, kode_baru text NOT NULL, berlaku_mulai date NOT NULL,
    dasar_hukum text, batch_id bigint, source_row integer
);
CREATE TABLE raw.wilayah_bps (
    kode_kemendagri text NOT NULL, kode_bps text NOT NULL, nama text,
    batch_id bigint, source_row integer
);
CREATE TABLE raw.regulasi_daerah (
    kode_pemda text NOT NULL, jenis text NOT NULL, nomor text, tahun integer,
    tanggal_penetapan date, judul text, batch_id bigint, source_row integer
);
