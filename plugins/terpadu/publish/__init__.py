"""The publisher: a verified release per region (`publish_region`), the pseudonymised national extract
(`publish_national`) and the static portal (`build_portal`)."""

from __future__ import annotations

from terpadu.publish.national import publish_national
from terpadu.publish.portal import build_portal
from terpadu.publish.release import publish_region

__all__ = ["build_portal", "publish_national", "publish_region"]
