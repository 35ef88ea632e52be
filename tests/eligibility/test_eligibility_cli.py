"""`nemt eligibility inquiry|read-271|import-834` as a user runs them (subprocesses on the test's database)."""

from __future__ import annotations

from nemt.domain.actors import Actor
from nemt.services.members.eligibility_edi import import_834
from nemt.store.models import Member
from nemt.store.uow import uow_factory
from tests.conftest import nemt_cli
from tests.eligibility.builders import Answer, Enrollee, build_271, build_834


def test_the_commands_ask_record_and_refuse_a_bad_file(db, tmp_path):
    enrollment = build_834([Enrollee("Q800001")])
    bad = tmp_path / "enrollment.834"
    bad.write_text(enrollment.replace("HLT*MEDICAID STATE PLAN", "HLT*GOLD PLAN"), encoding="ascii")
    refused = nemt_cli(db, "eligibility", "import-834", str(bad))
    assert refused.returncode == 2 and refused.stderr.startswith("error: segment 13 (HD): the 834 was refused; "
                                                                 "nothing was imported: HD04"), refused.stderr
    with uow_factory(db)() as uow:
        import_834(uow, Actor.system("test"), enrollment, "CO")
    with uow_factory(db)() as uow:
        key = uow.session.query(Member).one().key
    outbox = tmp_path / "outbox"
    asked = nemt_cli(db, "eligibility", "inquiry", key, "2026-03-10", NEMT_EDI_OUTBOX=str(outbox))
    assert asked.returncode == 0, asked.stderr
    [dropped] = outbox.glob("270-*.x12")
    trace = dropped.name.removeprefix("270-").removesuffix(".x12")
    assert asked.stdout.startswith(f"270 {trace} for 2026-03-10: {dropped}")
    answer = tmp_path / "answer.271"
    answer.write_text(build_271([Answer(trace, "Q800001")]), encoding="ascii")
    read = nemt_cli(db, "eligibility", "read-271", str(answer))
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == f"{trace}  member {key}  2026-03-10  active  medicaid-state-plan"
