"""DocReaderService limits that need their own settings: the per-document time limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from docreader.service import DocReaderService, ReadRequest
from jisik.errors import DeadlineExceeded
from jisik.settings import DocreaderSettings, StorageSettings, get_settings

from . import fixtures as fx

pytestmark = pytest.mark.integration


class TestLimits:
    async def test_time_limit_per_document(self, tmp_path: Path) -> None:
        settings = get_settings().model_copy(
            update={
                "storage": StorageSettings(local_dir=tmp_path),
                "docreader": DocreaderSettings(worker_processes=1, timeout_s=0.05),
            }
        )
        service = DocReaderService(settings)
        try:
            with pytest.raises(DeadlineExceeded, match="report.pdf"):
                await service.read(ReadRequest(content=fx.pdf_document(), file_name="report.pdf"))
        finally:
            await service.close()
