"""The knowledge base: ingestion, chunking, embeddings, the Qdrant store, retrieval and citations.

Entry points: `knowledge.cli_api` (the `cloudpilot kb` commands), `knowledge.context.knowledge_for`
(one knowledge base per process, cached in the tool context) and `knowledge.eval` (recall@k).
"""
