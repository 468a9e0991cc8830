"""Images: OCR engines, vision-model captions, and the bounded-concurrency processor."""
