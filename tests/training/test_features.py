"""The reranker's features on passages written here: topic evidence (content morphemes) tells apart
paragraphs of one article that all name the question's subject."""

from __future__ import annotations

import numpy as np

from ml.training.features import FEATURES, Candidate, candidate_features

_TITLE = "강정호"
_QUESTION = "강정호가 2년 연속 전 경기 출장의 대기록을 세운 포지션은?"
# Every paragraph names the subject; only the second holds the rest of the question in one sentence.
_INTRO = ("강정호는 대한민국의 야구 선수이다. 강정호는 2006년 현대 유니콘스에 입단하였다. 지명 당시 강정호의 포지션은 "
          "포수였으나 입단 후 내야수로 전향하였다. 강정호는 광주에서 태어났다.")
_ANSWER = ("그해 타율은 처음으로 3할을 넘겼다. 생애 처음으로 유격수 부문 골든 글러브를 받았고, 2년 연속 유격수 전 경기 "
           "출장이라는 대기록도 함께 세웠다.")
# The same terms spread over sentences that each hold only a part of them.
_SPREAD = ("강정호는 2년 동안 팀을 옮기지 않았다. 연속 안타 기록은 그 뒤에 나왔다. 경기 출장 수는 대기록으로 남지 "
           "않았다. 포지션은 여러 번 바뀌었다.")


def _features(texts: list[str]) -> np.ndarray:
    vector = np.ones(4, np.float32) / 2
    candidates = [Candidate(text, _TITLE, vector, rank) for rank, text in enumerate(texts)]
    return candidate_features(_QUESTION, vector, vector, candidates)


def test_topic_evidence_prefers_the_paragraph_whose_one_sentence_holds_the_rest_of_the_question() -> None:
    rows = _features([_INTRO, _ANSWER, _SPREAD])
    topic = rows[:, FEATURES.index("topic_evidence")]
    assert topic[1] > 0.8
    assert topic[1] > topic[2] > topic[0]
    relative = rows[:, FEATURES.index("topic_evidence_relative")]
    assert relative[1] == 0.0 and relative[0] < 0 and relative[2] < 0


def test_the_subject_named_in_the_title_counts_for_nothing() -> None:
    """A paragraph that only repeats the subject gets no topic evidence, however often it names it."""
    rows = _features(["강정호는 강정호이다. 강정호, 강정호.", _ANSWER])
    assert rows[0, FEATURES.index("topic_evidence")] == 0.0


def test_no_candidates_give_an_empty_table() -> None:
    assert _features([]).shape == (0, len(FEATURES))
