"""Registry credentials from the Docker config, as ``docker login`` writes it.

``$DOCKER_CONFIG/config.json`` when ``$DOCKER_CONFIG`` is set, else ``~/.docker/config.json``
(Docker's own rule: the variable replaces the default, it does not add to it). The ``auths``,
``credHelpers`` and ``credsStore`` entries are handed to oras, which answers the registry's
challenge with them. Credentials are never printed: errors name the file, not its content.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from runner.registry.errors import RegistryError

__all__ = ["docker_config_path", "load_docker_config"]


def docker_config_path() -> Path:
    if os.environ.get("DOCKER_CONFIG"):
        return Path(os.environ["DOCKER_CONFIG"]) / "config.json"
    return Path.home() / ".docker" / "config.json"


def load_docker_config() -> dict[str, Any]:
    """oras's auth-config shape (``auths``, ``credsStore``, ``credHelpers``); empty if no file."""
    path = docker_config_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = {}
    except (OSError, UnicodeDecodeError, ValueError) as error:
        kind = type(error).__name__
        raise RegistryError(f"{path}: not a readable Docker config ({kind})") from None
    if not isinstance(document, dict):
        raise RegistryError(f"{path}: not a Docker config (want a JSON object)")
    auths = document.get("auths")
    helpers = document.get("credHelpers")
    return {
        "auths": auths if isinstance(auths, dict) else {},
        "credsStore": document.get("credsStore")
        if isinstance(document.get("credsStore"), str)
        else None,
        "credHelpers": helpers if isinstance(helpers, dict) else {},
    }
