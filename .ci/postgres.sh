#!/usr/bin/env bash
# Install (Debian's package) and start a local PostgreSQL server for the test suite.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
cluster=$(pg_lsclusters --no-header | head -n 1)
version=$(echo "$cluster" | awk '{print $1}'); name=$(echo "$cluster" | awk '{print $2}')
pg_ctlcluster "$version" "$name" start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
echo "PostgreSQL $version ready on 127.0.0.1:5432"
