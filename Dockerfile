# CloudPilot: self-hosted ChatOps agent. CPU-only image: torch from the CPU wheel index, no CUDA.
#
#   docker build -t cloudpilot .
#   docker run -p 3000:3000 --env-file cloudpilot.env cloudpilot            # the Slack front (HTTP)
#   docker run --env-file cloudpilot.env cloudpilot serve worker --metrics-port 9100
#
# compose.yaml runs the whole stack; deploy/helm/cloudpilot deploys it on Kubernetes.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    CLOUDPILOT_DATA_DIR=/data \
    HEALTHCHECK_URL=http://127.0.0.1:3000/health

WORKDIR /app

# torch first, from the CPU-only wheel index, so that sentence-transformers finds it installed
# and pip never pulls the CUDA packages (several GiB).
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install --index-url "$TORCH_INDEX_URL" "torch==${TORCH_VERSION}"

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY agent ./agent
COPY tools ./tools
COPY knowledge ./knowledge
COPY config ./config
COPY store ./store
COPY sandbox ./sandbox
RUN pip install . && python -c "import torch, bot.main; assert not torch.cuda.is_available()"

# A fixed non-root user; /data (settings' data_dir: SQLite, DuckDB cost store, embedded index)
# is the only place it writes.
RUN useradd --system --create-home --uid 10001 --gid 0 cloudpilot \
    && mkdir -p /data && chown 10001:0 /data && chmod 0770 /data
USER 10001
VOLUME ["/data"]
EXPOSE 3000 9100

# /health answers while the process is alive. The Slack front listens on 3000; a worker serves
# /health on its --metrics-port (compose and the chart set HEALTHCHECK_URL to match).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=4).status == 200 else 1)"]

ENTRYPOINT ["cloudpilot"]
CMD ["serve", "slack"]
