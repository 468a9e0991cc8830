"""A generated tenant corpus for the training tests: documents about made-up products, each chunk
indexed with its real e5 vector, and labelled questions about them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from jisik.db.models import Chunk, Knowledge, KnowledgeBase, LabelledPair
from jisik.passages import passage_text
from ml.serving.local import load_embedder

NAMES = ["하늘", "바다", "솔빛", "누리", "가람", "다온", "라온", "마루", "별찌", "새봄", "아라", "온새",
         "윤슬", "은가", "초롱", "한결", "해찬", "이든", "예솔", "미리"]
CITIES = ["부산", "대구", "광주", "대전", "울산", "수원", "전주", "청주", "춘천", "제주"]
PHONE = "010-2345-6789"


@dataclass(frozen=True)
class Document:
    title: str
    chunks: list[str]
    questions: list[tuple[str, int]]  # question, index of the chunk that answers it


def documents() -> list[Document]:
    docs = []
    for i, name in enumerate(NAMES):
        city, year, weight = CITIES[i % len(CITIES)], 2001 + i, 120 + 7 * i
        chunks = [
            f"{name} 정수기는 {city} 공장에서 {year}년에 처음 생산되었다. 본체 무게는 {weight}kg이며 "
            f"필터는 여섯 달마다 교체한다.",
            f"{name} 정수기의 고객 센터는 평일 오전 9시부터 오후 6시까지 운영한다. 설치 기사는 방문 전에 "
            f"문자로 일정을 알린다." + (f" 담당자 연락처는 {PHONE}이다." if i == 0 else ""),
        ]
        questions = [(f"{name} 정수기는 언제 어디서 처음 만들어졌나요?", 0),
                     (f"{name} 정수기 무게가 얼마야", 0),
                     (f"{name} 고객 센터 운영 시간", 1)]
        docs.append(Document(f"{name} 정수기 안내서", chunks, questions))
    return docs


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.6f}" for x in vector) + "]"


async def load_corpus(session: AsyncSession, tenant_id: str) -> dict[str, str]:
    """Store and index the documents for the tenant; upload their questions as labelled pairs.
    Returns chunk id -> content."""
    embedder = load_embedder("multilingual-e5-small")
    base = KnowledgeBase(tenant_id=tenant_id, name="정수기")
    session.add(base)
    await session.flush()
    contents: dict[str, str] = {}
    for doc in documents():
        knowledge = Knowledge(tenant_id=tenant_id, knowledge_base_id=base.id, title=doc.title)
        session.add(knowledge)
        await session.flush()
        vectors = embedder.embed([passage_text(doc.title, chunk) for chunk in doc.chunks], "passage")
        for index, (content, vector) in enumerate(zip(doc.chunks, vectors, strict=True)):
            chunk_id = f"{knowledge.id[:8]}-{index}"
            session.add(Chunk(id=chunk_id, tenant_id=tenant_id, knowledge_base_id=base.id, knowledge_id=knowledge.id,
                              content=content, chunk_index=index, start_at=0, end_at=len(content)))
            await session.execute(
                text("INSERT INTO retriever_chunks (tenant_id, chunk_id, knowledge_base_id, knowledge_id, content, "
                     "token_count, embedding, title) VALUES (:t, :c, :b, :k, :content, 10, CAST(:v AS vector), :title)"),
                {"t": tenant_id, "c": chunk_id, "b": base.id, "k": knowledge.id, "content": content,
                 "v": _vector_literal(vector), "title": doc.title},
            )
            contents[chunk_id] = content
        for question, index in doc.questions:
            session.add(LabelledPair(tenant_id=tenant_id, query=question, passage=doc.chunks[index]))
    await session.flush()
    return contents
