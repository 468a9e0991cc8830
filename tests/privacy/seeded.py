"""One of each kind of personal value the masking must keep from remote models, logs and topics; the leak
tests seed documents and questions with them and look for every one (and its digits-only form) afterwards."""

SEEDED = {
    "RRN": "850315-1234567",
    "PHONE": "010-2345-6789",
    "EMAIL": "minjun.kim@example.co.kr",
    "CARD": "4111-1111-1111-1111",
    "BRN": "220-81-62517",
    "NAME": "김민준",
    "ACCOUNT": "110-123-456789",
    "ADDRESS": "서울특별시 강남구 테헤란로 152",
}
