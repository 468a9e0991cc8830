"""Document intelligence: a field schema per knowledge base, extraction of those fields from a parsed
document (text lines, table cells, OCR word boxes), typed normalisation, validation against expected
values and cross-field rules, and the status that decides whether a person reviews the document. A
knowledge base's trained field tagger (a CRF, :mod:`fields.tagger`) adds readings its labels miss."""
