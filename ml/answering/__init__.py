"""Grounded answering over numbered passages: find the evidence, compose an answer that cites it,
and check the citations of answers written by a language model.

- :mod:`.text` splits passages into sentences and table rows (numbers and wrapped lines kept whole);
- :mod:`.terms` gives the content terms of a question or sentence (Korean, Chinese, English);
- :mod:`.cues` reads what kind of answer a question wants (a number, a date, a person, ...);
- :mod:`.tables` answers from the row matched by the question's terms and the column by its header;
- :mod:`.evidence` scores sentences and decides whether any passage supports an answer;
- :mod:`.compose` writes the answer first, in the question's language, then the quotes with ``[n]``;
- :mod:`.support` checks each cited sentence of a generated answer against its passage.
"""
