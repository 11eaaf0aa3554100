#!/usr/bin/env bash
# Install aiosmtpd (a small SMTP server) into target/smtp-venv for the end-to-end SMTP test.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x target/smtp-venv/bin/python ] || ! target/smtp-venv/bin/python -c 'import aiosmtpd' 2>/dev/null; then
  python3 -m venv target/smtp-venv
  target/smtp-venv/bin/pip install --quiet aiosmtpd
fi
echo target/smtp-venv/bin/python
