"""BI user names and province codes are checked before anything reaches the database
(role names become identifiers in CREATE ROLE)."""

from __future__ import annotations

import pytest

from monev.transform import access


@pytest.mark.parametrize("user", ["Bad-Name", "1abc", "x; drop role monev_bi", "", "a" * 64])
def test_bad_user_names_are_refused(user: str) -> None:
    with pytest.raises(ValueError, match="user name"):
        access.grant(user, "62", url="postgresql://nobody@127.0.0.1:1/none")


@pytest.mark.parametrize("kode", ["6", "62.01", "ab", "062"])
def test_bad_province_codes_are_refused(kode: str) -> None:
    with pytest.raises(ValueError, match="kode_provinsi"):
        access.grant("bi_ok", kode, url="postgresql://nobody@127.0.0.1:1/none")


def test_scope_label() -> None:
    assert access.BiUser("a", None).scope == "NASIONAL"
    assert access.BiUser("b", "62").scope == "PROVINSI 62"
