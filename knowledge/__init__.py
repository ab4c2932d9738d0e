"""The knowledge base: ingestion, chunking, embeddings, the Qdrant store, retrieval and citations.

Entry points: `knowledge.cli_api` (the `cloudpilot kb` commands), `knowledge.context.knowledge_for`
(which knowledge base to use, given the one the tool context's services hold) and
`knowledge.eval` (recall@k).
"""
