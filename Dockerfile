# Terpadu's Airflow image: the official Airflow 3.3.2 image plus this project's locked dependencies.
# docker-compose.yml builds it once and runs every Airflow component from it.
FROM apache/airflow:3.3.2-python3.11

USER root
COPY --chown=airflow:root pyproject.toml uv.lock README.md /opt/terpadu/
COPY --chown=airflow:root plugins /opt/terpadu/plugins
USER airflow
# Install exactly what uv.lock pins (without the dev group) into the image's Python.
RUN pip install --no-cache-dir uv==0.13.8 \
 && cd /opt/terpadu \
 && uv export --frozen --no-dev --no-emit-project -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && pip install --no-cache-dir --no-deps -e /opt/terpadu
