# CloudPilot: self-hosted ChatOps agent. CPU-only image (torch CPU wheel, no CUDA).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    CLOUDPILOT_DATA_DIR=/data

WORKDIR /app
# torch first, from a CPU-only wheel index if you have one (build arg), so that
# sentence-transformers finds it installed and no CUDA packages are pulled.
ARG TORCH_INDEX_URL=""
RUN if [ -n "$TORCH_INDEX_URL" ]; then pip install --index-url "$TORCH_INDEX_URL" "torch==2.13.0"; \
    else pip install "torch==2.13.0"; fi
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY agent ./agent
COPY tools ./tools
COPY knowledge ./knowledge
COPY config ./config
COPY store ./store
COPY sandbox ./sandbox
RUN pip install .

RUN useradd --create-home --uid 10001 cloudpilot && mkdir -p /data && chown cloudpilot /data
USER cloudpilot
VOLUME ["/data"]
EXPOSE 3000
ENTRYPOINT ["cloudpilot"]
CMD ["chat"]
