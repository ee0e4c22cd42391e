"""The demo organisation's procedures, and broken procedure files reported where they are broken."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_app.domain.procedures import (
    ChoiceQuestion,
    EscalationKind,
    NumberQuestion,
    Procedure,
    Question,
    TextQuestion,
    YesNoQuestion,
    begin,
    longest_route,
    question_exits,
    replay,
    step,
    validate_procedure,
)
from supervisor_app.pack import OrganisationPack, default_pack_dir, load_pack

if TYPE_CHECKING:
    from tests.pack.conftest import PackCopy

GAS = "procedures/gas_escape_internal.yaml"


@pytest.fixture(scope="module")
def demo() -> OrganisationPack:
    return load_pack(default_pack_dir())


# ---- the demo procedures ------------------------------------------------------------------------


def test_every_demo_incident_type_has_a_valid_procedure(demo: OrganisationPack) -> None:
    assert sorted(demo.procedures) == sorted(t.code for t in demo.incident_types)
    known = demo.known_codes()
    for code, procedure in demo.procedures.items():
        assert procedure.incident_type == code
        assert validate_procedure(procedure, known) == [], code


def test_at_least_four_demo_procedures_are_several_levels_deep(demo: OrganisationPack) -> None:
    depths = {code: longest_route(procedure) for code, procedure in demo.procedures.items()}
    assert sum(1 for depth in depths.values() if depth >= 4) >= 4, depths
    assert min(depths.values()) >= 2, depths


def test_demo_procedures_use_every_kind_of_question_and_escalate_both_ways(demo: OrganisationPack) -> None:
    questions = [q for p in demo.procedures.values() for q in p.questions]
    assert {type(q) for q in questions} == {YesNoQuestion, ChoiceQuestion, NumberQuestion, TextQuestion}
    outcomes = [o for p in demo.procedures.values() for o in p.outcomes]
    kinds = {o.escalation.kind for o in outcomes}
    assert {EscalationKind.DUTY_MANAGER, EscalationKind.EXTERNAL_ORGANISATION, EscalationKind.NONE} <= kinds
    assert all(o.advice.say for o in outcomes)
    assert any(check.mandatory for o in outcomes for check in o.checks)
    assert any(o.advice.do_not_say for o in outcomes)


def test_outcome_checks_carry_their_wording_from_policy_checks(demo: OrganisationPack) -> None:
    checks = [check for p in demo.procedures.values() for o in p.outcomes for check in o.checks]
    assert checks
    for check in checks:
        listed = demo.policy_check(check.code)
        assert (check.label, check.text, check.log_code) == (listed.label, listed.text, listed.log_code)


def _answer(draw: st.DrawFn, question: Question) -> object:
    if not question.mandatory and draw(st.booleans()):
        return None
    if isinstance(question, YesNoQuestion):
        return draw(st.booleans())
    if isinstance(question, ChoiceQuestion):
        return draw(st.sampled_from(question.options)).value
    if isinstance(question, NumberQuestion):
        if question.whole:
            return draw(st.integers(int(question.minimum), int(question.maximum)))
        return draw(st.floats(question.minimum, question.maximum))
    return draw(st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and s.isprintable()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_answers_to_a_demo_procedure_reach_one_outcome_and_replay(demo: OrganisationPack, data: st.DataObject
                                                                      ) -> None:
    procedure: Procedure = data.draw(st.sampled_from(sorted(demo.procedures.values(), key=lambda p: p.incident_type)))
    assessment = begin(procedure)
    asked = 0
    while assessment.question is not None:
        assessment = step(procedure, assessment, assessment.question.id, _answer(data.draw, assessment.question))
        asked += 1
        assert asked <= len(procedure.questions)
    assert assessment.outcome is not None and assessment.outcome in procedure.outcomes
    assert replay(procedure, assessment.path) == assessment
    demo.priority(assessment.outcome.priority)  # a priority the pack knows, with its targets


def test_every_demo_outcome_can_be_reached(demo: OrganisationPack) -> None:
    for procedure in demo.procedures.values():
        reached = {procedure.start}
        frontier = [procedure.start]
        while frontier:
            node = procedure.node(frontier.pop())
            if node is None or node in procedure.outcomes:
                continue
            for exit_ in question_exits(node):  # type: ignore[arg-type]
                if exit_.next not in reached:
                    reached.add(exit_.next)
                    frontier.append(exit_.next)
        assert {o.id for o in procedure.outcomes} <= reached, procedure.incident_type


def test_targets_follow_the_outcome_priority(demo: OrganisationPack) -> None:
    targets_p1 = demo.targets_for("LIFT_ENTRAPMENT", "P1")
    targets_p2 = demo.targets_for("LIFT_ENTRAPMENT", "P2")
    assert targets_p1 != targets_p2


# ---- broken procedure files ---------------------------------------------------------------------


def test_a_branch_to_a_missing_node_is_reported_at_its_line_with_the_route(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(GAS, "    if_no: everyone_out\n", "    if_no: everyone_outt\n")
    problem, orphan = pack_copy.problems()
    # The question it should lead to is now reached by nothing, and said so; what hangs below it is not.
    assert (orphan.file, orphan.key) == (GAS, "questions.everyone_out")
    assert "cannot be reached from start" in orphan.message
    assert (problem.file, problem.line, problem.key) == (GAS, line, "questions.anyone_unwell.if_no")
    assert 'start > caller_account (any answer) > smell_where ("whole_building" or "one_room") > anyone_unwell ' \
           '("no")' in problem.message
    assert 'did you mean "everyone_out"' in problem.message


def test_a_cycle_is_reported_at_the_branch_that_closes_it(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(GAS, "    if_yes: meter_valve\n    if_no: cannot_leave\n",
                             "    if_yes: everyone_out\n    if_no: cannot_leave\n")
    problems = pack_copy.problems()
    cycles = [p for p in problems if "cycle" in p.message]
    assert len(cycles) == 1
    assert (cycles[0].line, cycles[0].key) == (line, "questions.can_leave.if_yes")
    assert "everyone_out > can_leave > everyone_out" in cycles[0].message


def test_an_unknown_check_is_reported_with_the_known_ones(pack_copy: PackCopy) -> None:
    text = pack_copy.text("procedures/lift_entrapment.yaml")
    assert text.count("SAFEGUARDING_REFERRAL") == 1
    line = pack_copy.replace("procedures/lift_entrapment.yaml", "SAFEGUARDING_REFERRAL", "SAFEGUARDING_REFERAL")
    problem = pack_copy.only_problem()
    assert problem.line == line
    assert problem.key.startswith("outcomes.vulnerable_trapped.checks[0].code")
    assert "did you mean 'SAFEGUARDING_REFERRAL'" in problem.message


def test_an_unknown_question_type_names_the_allowed_ones(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(GAS, "  anyone_unwell:\n    type: yes_no\n", "  anyone_unwell:\n    type: yesno\n") + 1
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == (GAS, line, "questions.anyone_unwell.type")
    assert "unknown type 'yesno'" in problem.message
    assert "yes_no" in problem.message


def test_a_number_with_a_gap_between_ranges_is_reported(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("procedures/lift_entrapment.yaml", "{at_least: 30, next: long_entrapment}",
                             "{at_least: 40, next: long_entrapment}")
    problem = pack_copy.only_problem()
    assert (problem.line, problem.key) == (line, "questions.trapped_minutes.ranges[1]")
    assert "no range covers 30 to under 40 minutes" in problem.message


def test_an_incident_type_without_a_procedure_is_reported_in_incident_types(pack_copy: PackCopy) -> None:
    pack_copy.remove("procedures/lift_breakdown.yaml")
    problem = pack_copy.only_problem()
    assert problem.file == "incident_types.yaml"
    assert "LIFT_BREAKDOWN has no procedure" in problem.message
    assert "procedures/lift_breakdown.yaml" in problem.message


def test_two_procedures_for_one_type_are_refused(pack_copy: PackCopy) -> None:
    pack_copy.write("procedures/zz_second_gas.yaml", pack_copy.text(GAS))
    problem = pack_copy.only_problem()
    assert problem.file == "procedures/zz_second_gas.yaml"
    assert "GAS_ESCAPE_INTERNAL already has a procedure in procedures/gas_escape_internal.yaml" in problem.message


def test_a_yml_file_is_not_silently_ignored(pack_copy: PackCopy) -> None:
    pack_copy.write("procedures/extra.yml", "incident_type: GAS_ESCAPE_INTERNAL\n")
    problem = pack_copy.only_problem()
    assert problem.file == "procedures/extra.yml"
    assert "rename it to extra.yaml" in problem.message


def test_a_missing_procedures_folder_is_one_clear_problem(pack_copy: PackCopy) -> None:
    shutil.rmtree(pack_copy.directory / "procedures")
    problem = pack_copy.only_problem()
    assert problem.file == "procedures/"
    assert "the folder is missing" in problem.message


def test_an_outcome_asking_for_more_than_the_fleet_has(pack_copy: PackCopy) -> None:
    text = pack_copy.text("procedures/lift_entrapment.yaml")
    start = text.index("  standard_release:")
    old = "      - {resource_type: LIFT_ENG, count: 1, capabilities: [lift_release]}\n"
    at = text.index(old, start)
    pack_copy.write("procedures/lift_entrapment.yaml",
                    text[:at] + old.replace("count: 1", "count: 20") + text[at + len(old):])
    problem = pack_copy.only_problem()
    assert problem.key == "outcomes.standard_release.response[0]"
    assert problem.line == text.count("\n", 0, at) + 1
    assert "needs 20 x LIFT_ENG with lift_release, but stations.yaml has" in problem.message
