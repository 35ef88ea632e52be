"""The member's sex is stored by both enrollment paths (both databases): the eligibility CSV's optional ``sex`` column
and the 834's DMG03; a file that does not state it leaves a known member's sex as it was; a code outside F, M, U is
refused naming the field. (The 837P's DMG03 and the CMS-1500's item 3 read it from the member:
tests/claims_db/test_payer_path.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nemt.domain.actors import Actor
from nemt.services.members import import_eligibility
from nemt.services.members.eligibility_edi import import_834
from nemt.services.platform.errors import ImportRejected
from nemt.store.models import Member
from tests.eligibility.builders import Enrollee, build_834

SYSTEM = Actor.system("test")
COLUMNS = ("medicaid_id,first_name,last_name,birth_date,address_line,city,state,zip,county,plan,coverage_start,"
           "coverage_end")
ROW = "{id},Ann,Example,1950-02-03,1 Demo St,Denver,CO,80203,Denver,medicaid-state-plan,2024-01-01,"


def _csv(rows: list[str], *, sex: bool) -> bytes:
    return ("\n".join([COLUMNS + (",sex" if sex else ""), *rows]) + "\n").encode()


def _sex(uow_factory, medicaid_id: str) -> str | None:
    with uow_factory() as uow:
        return uow.session.scalar(select(Member.sex).where(Member.medicaid_id == medicaid_id))


def _import(uow_factory, content: bytes, name: str = "elig.csv"):
    with uow_factory() as uow:
        return import_eligibility(uow, SYSTEM, "CO", name, content)


def test_the_eligibility_file_carries_the_sex(uow_factory):
    _import(uow_factory, _csv([ROW.format(id="A200001") + ",M", ROW.format(id="A200002") + ",",
                               ROW.format(id="A200003") + ",F"], sex=True))
    assert [_sex(uow_factory, m) for m in ("A200001", "A200002", "A200003")] == ["M", "U", "F"]
    # A file without the column (or with it blank) keeps what is known; one that states it changes it.
    result = _import(uow_factory, _csv([ROW.format(id="A200001"), ROW.format(id="A200003") + " "], sex=False),
                     "again.csv")
    assert result.updated == 0 and _sex(uow_factory, "A200001") == "M" and _sex(uow_factory, "A200003") == "F"
    result = _import(uow_factory, _csv([ROW.format(id="A200001") + ",F"], sex=True), "changed.csv")
    assert result.updated == 1 and _sex(uow_factory, "A200001") == "F"


def test_a_sex_outside_the_codes_is_refused_naming_the_field(uow_factory):
    with pytest.raises(ImportRejected) as refused:
        _import(uow_factory, _csv([ROW.format(id="A200004") + ",X"], sex=True))
    (error,) = refused.value.errors
    assert (error.line, error.field) == (2, "sex") and "F, M, U" in error.reason
    assert _sex(uow_factory, "A200004") is None  # nothing imported


def test_the_834_stores_dmg03(uow_factory):
    with uow_factory() as uow:
        import_834(uow, SYSTEM, build_834([Enrollee("Q810001", sex="M"), Enrollee("Q810002", sex="F")]), "CO")
    assert (_sex(uow_factory, "Q810001"), _sex(uow_factory, "Q810002")) == ("M", "F")
    with uow_factory() as uow:  # an 834 changes a known member's sex as it states it
        result = import_834(uow, SYSTEM, build_834([Enrollee("Q810001", sex="F", maintenance="001")], icn=611), "CO")
    assert result.updated == 1 and _sex(uow_factory, "Q810001") == "F"
