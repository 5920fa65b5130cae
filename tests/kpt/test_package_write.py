"""plan_writes / write_atomically / write_to_dir / output streams on real files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import InputError, PackageError
from runner.fidelity import join_documents, render_document, update_document
from runner.kpt.package import Package, read_package
from runner.kpt.package_write import output_stream, plan_writes
from runner.kpt.transaction import TRANSACTION_DIR, write_atomically, write_to_dir
from runner.krm import annotations as ann
from runner.krm.resource import default_path
from tests.kpt.conftest import values_of


def _texts(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _by_name(values: list[dict[str, Any]], name: str, kind: str | None = None) -> dict[str, Any]:
    for value in values:
        if value["metadata"]["name"] == name and (kind is None or value["kind"] == kind):
            return value
    raise KeyError(name)


_RUNNER_ANNOTATIONS = (ann.PATH, ann.INDEX, ann.ID, ann.LEGACY_PATH, ann.LEGACY_INDEX)


def _strip(value: dict[str, Any]) -> dict[str, Any]:
    """The value as it should be written: without the runner's annotations."""
    value = copy.deepcopy(value)
    annotations = value["metadata"].pop("annotations")
    kept = {k: v for k, v in annotations.items() if k not in _RUNNER_ANNOTATIONS}
    if kept:
        value["metadata"]["annotations"] = kept
    return value


def test_unchanged_round_trip_keeps_every_byte(app: Path) -> None:
    before = _texts(app)
    pkg = read_package(app)
    plan = plan_writes(pkg, values_of(pkg))
    assert {k: v.encode() for k, v in plan.items() if v is not None} == {
        k: before[k] for k in pkg.files
    }
    assert write_atomically(app, plan) == []
    assert _texts(app) == before


def test_modified_resource_is_edited_in_place_others_untouched(app: Path) -> None:
    before = _texts(app)
    pkg = read_package(app)
    values = values_of(pkg)
    _by_name(values, "web", "Deployment")["spec"]["replicas"] = 5
    plan = plan_writes(pkg, values)

    deployment, service = pkg.files["deployment.yaml"].documents
    new_deployment = _strip(_by_name(values, "web", "Deployment"))
    assert plan["deployment.yaml"] == join_documents(
        [update_document(deployment, new_deployment), service.text]
    )
    assert write_atomically(app, plan) == ["deployment.yaml"]
    after = _texts(app)
    assert {k for k in after if after[k] != before[k]} == {"deployment.yaml"}
    # The Service document kept its comments byte for byte.
    assert service.text.encode() in after["deployment.yaml"]
    assert yaml.safe_load_all(after["deployment.yaml"].decode()).__next__()["spec"] == {
        "replicas": 5
    }


def test_deleted_resources_leave_their_files_and_empty_files_go(app: Path) -> None:
    pkg = read_package(app)
    values = [v for v in values_of(pkg) if v["metadata"]["name"] not in ("web", "inner")]
    values.append(_by_name(values_of(pkg), "web", "Deployment"))
    plan = plan_writes(pkg, values)
    deployment = pkg.files["deployment.yaml"].documents[0]
    assert plan["deployment.yaml"] == join_documents([deployment.text])
    assert plan["dir/inner.yml"] is None
    write_atomically(app, plan)
    assert not (app / "dir/inner.yml").exists()
    assert (app / "deployment.yaml").read_text() == join_documents([deployment.text])
    # Held back and non-KRM documents were not given to functions but stay on disk.
    assert (app / "Kptfile").exists() and (app / "values.yaml").exists()


def test_moved_resource_follows_its_path_annotation(app: Path) -> None:
    pkg = read_package(app)
    values = values_of(pkg)
    service = _by_name(values, "web", "Service")
    service["metadata"]["annotations"][ann.PATH] = "svc/service.yaml"
    service["metadata"]["annotations"][ann.LEGACY_PATH] = "svc/service.yaml"
    service["metadata"]["annotations"][ann.INDEX] = "0"
    service["metadata"]["annotations"][ann.LEGACY_INDEX] = "0"
    plan = plan_writes(pkg, values)
    deployment, original_service = pkg.files["deployment.yaml"].documents
    assert plan["deployment.yaml"] == join_documents([deployment.text])
    # Unchanged apart from its location: the original text (comments included) moves with
    # it; the `---` it had as a second document is dropped at the top of its new file.
    expected = (
        "# Its service.\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
        "spec:\n  ports:\n    - port: 80 # http\n"
    )
    assert original_service.text == "---\n" + expected
    assert plan["svc/service.yaml"] == expected
    write_atomically(app, plan)
    assert (app / "svc/service.yaml").read_text() == expected


def test_new_resources_get_kyaml_default_paths(app: Path) -> None:
    pkg = read_package(app)
    plain = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra"}}
    namespaced = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "team", "annotations": {}},
    }
    plan = plan_writes(pkg, [*values_of(pkg), plain, namespaced])
    assert default_path(plain) == "configmap_extra.yaml"
    assert plan["configmap_extra.yaml"] == join_documents([render_document(plain)])
    # An empty annotations map on a new resource is dropped, as kyaml's ClearEmptyAnnotations.
    expected = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "team"},
    }
    assert plan["team/deployment_api.yaml"] == join_documents([render_document(expected)])


def test_new_resource_with_path_but_no_index_is_appended(app: Path) -> None:
    pkg = read_package(app)
    new = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "added", "annotations": {ann.PATH: "deployment.yaml"}},
    }
    plan = plan_writes(pkg, [new, *values_of(pkg)])
    deployment, service = pkg.files["deployment.yaml"].documents
    stripped = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "added"}}
    assert plan["deployment.yaml"] == join_documents(
        [deployment.text, service.text, render_document(stripped)]
    )


def test_output_order_does_not_matter_index_does(app: Path) -> None:
    pkg = read_package(app)
    plan = plan_writes(pkg, list(reversed(values_of(pkg))))
    assert plan["deployment.yaml"] == (app / "deployment.yaml").read_text()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../evil.yaml", "must not be outside the package"),
        ("a/../../evil.yaml", "must not be outside the package"),
        ("/etc/evil.yaml", "must be relative"),
    ],
)
def test_paths_leaving_the_package_are_rejected(app: Path, path: str, message: str) -> None:
    pkg = read_package(app)
    values = values_of(pkg)
    values[0]["metadata"]["annotations"][ann.PATH] = path
    with pytest.raises(PackageError, match=rf"output resource #0 \(Deployment/web\).*{message}"):
        plan_writes(pkg, values)


def test_two_resources_at_one_path_and_index_are_rejected(app: Path) -> None:
    pkg = read_package(app)
    values = values_of(pkg)
    copy_of_web = copy.deepcopy(values[0])
    copy_of_web["metadata"]["name"] = "web-copy"
    with pytest.raises(
        PackageError,
        match=r"output resource #0 \(Deployment/web\) and output resource #4 "
        r"\(Deployment/web-copy\) have the same path and index \(deployment\.yaml, 0\)",
    ):
        plan_writes(pkg, [*values, copy_of_web])


def test_collision_with_a_held_back_document_is_rejected(app: Path) -> None:
    pkg = read_package(app)
    intruder = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "annotations": {ann.PATH: "fn-config.yaml", ann.INDEX: "0"}},
    }
    with pytest.raises(
        PackageError, match=r"fn-config\.yaml document 0 \(ConfigMap/ns-config\) and output"
    ):
        plan_writes(pkg, [*values_of(pkg), intruder])


def test_writing_over_a_file_outside_the_package_is_rejected(app: Path) -> None:
    pkg = read_package(app)
    intruder = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "annotations": {ann.PATH: "notes.skip.yaml"}},
    }
    with pytest.raises(PackageError, match=r"notes\.skip\.yaml.*not part of the package"):
        plan_writes(pkg, [*values_of(pkg), intruder])


def test_crlf_file_keeps_its_line_endings(tmp_path: Path) -> None:
    doc = b"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: %s\r\n"
    (tmp_path / "crlf.yaml").write_bytes(doc % b"a" + b"---\r\n" + doc % b"b")
    pkg = read_package(tmp_path)
    first = pkg.files["crlf.yaml"].documents[0]
    plan = plan_writes(pkg, values_of(pkg)[:1])
    assert plan["crlf.yaml"] == join_documents([first.text], newline="\r\n")
    write_atomically(tmp_path, plan)
    data = (tmp_path / "crlf.yaml").read_bytes()
    assert data.startswith(doc % b"a")
    assert b"\n" not in data.replace(b"\r\n", b"")


# ---------------------------------------------------------------------------------- atomicity


def _leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*.krm-tmp")] + [p.name for p in root.glob(TRANSACTION_DIR)]


def test_failure_while_preparing_leaves_the_package_untouched(app: Path) -> None:
    before = _texts(app)
    plan: dict[str, str | None] = {
        "deployment.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: changed\n",
        "new/dir/file.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n",
        # values.yaml is a file: creating values.yaml/x.yaml fails after two temp files exist.
        "values.yaml/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    }
    with pytest.raises(PackageError, match=r"values\.yaml/x\.yaml: values\.yaml is not a dir"):
        write_atomically(app, plan)
    assert _texts(app) == before
    assert not (app / "new").exists()
    assert _leftovers(app) == []


def test_invalid_plan_changes_nothing(app: Path) -> None:
    before = _texts(app)
    with pytest.raises(PackageError, match="must not be outside the package"):
        write_atomically(app, {"deployment.yaml": "x: 1\n", "../outside.yaml": "x: 1\n"})
    with pytest.raises(PackageError, match="is a directory"):
        write_atomically(app, {"deployment.yaml": "x: 1\n", "dir": "x: 1\n"})
    assert _texts(app) == before


def test_write_keeps_file_mode(app: Path) -> None:
    (app / "deployment.yaml").chmod(0o600)
    pkg = read_package(app)
    values = values_of(pkg)
    values[0]["spec"]["replicas"] = 9
    write_atomically(app, plan_writes(pkg, values))
    assert (app / "deployment.yaml").stat().st_mode & 0o777 == 0o600


# ----------------------------------------------------------------------------- -o DIR / stdout


def test_write_to_dir_writes_the_whole_package(app: Path, tmp_path: Path) -> None:
    pkg = read_package(app)
    values = [v for v in values_of(pkg) if v["metadata"]["name"] != "inner"]
    out = tmp_path / "out"
    write_to_dir(out, plan_writes(pkg, values))
    assert sorted(_texts(out)) == [
        "Kptfile",
        "deployment.yaml",
        "fn-config.yaml",
        "keep.skip.yaml",
        "values.yaml",
    ]
    assert _texts(out)["deployment.yaml"] == (app / "deployment.yaml").read_bytes()
    with pytest.raises(PackageError, match="already exists"):
        write_to_dir(out, plan_writes(pkg, values))


def _package(app: Path) -> Package:
    return read_package(app)


def test_stdout_is_a_resource_list_keeping_path_and_index(app: Path) -> None:
    pkg = _package(app)
    doc = yaml.safe_load(output_stream(values_of(pkg), "stdout"))
    assert doc["apiVersion"] == "config.kubernetes.io/v1"
    assert doc["kind"] == "ResourceList"
    annotations = doc["items"][1]["metadata"]["annotations"]
    assert annotations == {
        ann.PATH: "deployment.yaml",
        ann.INDEX: "1",
        ann.LEGACY_PATH: "deployment.yaml",
        ann.LEGACY_INDEX: "1",
    }


def test_unwrap_strips_runner_annotations_and_keeps_original_text(app: Path) -> None:
    pkg = _package(app)
    text = output_stream(values_of(pkg), "unwrap", pkg)
    docs = list(yaml.safe_load_all(text))
    # In file order, the Kptfile and local-config resources included, as kpt writes them.
    assert [d["metadata"]["name"] for d in docs] == [
        "app",
        "web",
        "web",
        "inner",
        "ns-config",
        "kept-by-negation",
    ]
    assert "internal.config.kubernetes.io" not in text
    assert "config.kubernetes.io/path" not in text
    assert "# inline comment" in text
    # Without the package: the function-visible values only, rendered afresh.
    plain = list(yaml.safe_load_all(output_stream(values_of(pkg), "unwrap")))
    assert [d["metadata"]["name"] for d in plain] == ["web", "web", "inner", "kept-by-negation"]
    with pytest.raises(ValueError, match="unknown output mode"):
        output_stream([], "json")


def test_kustomization_without_metadata_round_trips(tmp_path: Path) -> None:
    text = "resources:\n- a.yaml\n"
    (tmp_path / "kustomization.yaml").write_text(text)
    pkg = read_package(tmp_path)
    assert pkg.resources == []  # kept from functions, written back as it is
    assert plan_writes(pkg, values_of(pkg)) == {"kustomization.yaml": text}


def test_a_symlinked_file_is_read_but_never_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    (tmp_path / ".krmignore").write_text("real/\n")
    (tmp_path / "link.yaml").symlink_to(real / "cm.yaml")
    pkg = read_package(tmp_path)
    assert write_atomically(tmp_path, plan_writes(pkg, values_of(pkg))) == []  # unchanged: fine
    values = values_of(pkg)
    values[0]["data"] = {"k": "v"}
    before = _texts(tmp_path)
    with pytest.raises(PackageError, match=r"link\.yaml: is a symlink; the runner does not write"):
        write_atomically(tmp_path, plan_writes(pkg, values))
    assert _texts(tmp_path) == before
    assert (tmp_path / "link.yaml").is_symlink()


def test_resource_without_id_is_matched_by_path_and_index(app: Path) -> None:
    pkg = read_package(app)
    values = values_of(pkg)
    for value in values:
        del value["metadata"]["annotations"][ann.ID]  # a function that dropped the id
    plan = plan_writes(pkg, values)
    assert plan["deployment.yaml"] == (app / "deployment.yaml").read_text()


def test_output_that_is_not_krm_is_rejected(app: Path) -> None:
    pkg = read_package(app)
    with pytest.raises(InputError, match=r"output resource #1 \(document\): not a KRM object"):
        plan_writes(pkg, [values_of(pkg)[0], ["not", "a", "mapping"]])  # type: ignore[list-item]


def test_resource_moved_next_to_a_held_back_document(app: Path) -> None:
    pkg = read_package(app)
    values = values_of(pkg)
    inner = _by_name(values, "inner")
    inner["metadata"]["annotations"][ann.PATH] = "fn-config.yaml"
    inner["metadata"]["annotations"][ann.INDEX] = "1"
    plan = plan_writes(pkg, values)
    (held,) = pkg.files["fn-config.yaml"].documents
    (moved,) = pkg.files["dir/inner.yml"].documents
    assert plan["fn-config.yaml"] == held.text + "---\n" + moved.text
    assert plan["dir/inner.yml"] is None


def test_edits_always_read_back_as_the_new_value(app: Path) -> None:
    # Adding a label and a first annotation at once: the written document must hold exactly
    # the new value (a wrong minimal edit falls back to a fresh rendering of that document).
    pkg = read_package(app)
    values = values_of(pkg)
    web = _by_name(values, "web", "Deployment")
    web["metadata"]["labels"]["tier"] = "web"
    web["metadata"]["annotations"]["owner"] = "me"
    write_atomically(app, plan_writes(pkg, values))
    written = next(yaml.safe_load_all((app / "deployment.yaml").read_text()))
    assert written["metadata"] == {
        "name": "web",
        "labels": {"app": "web", "tier": "web"},
        "annotations": {"owner": "me"},
    }


def test_modified_documents_exact_text(app: Path) -> None:
    pkg = read_package(app)
    values = values_of(pkg)
    _by_name(values, "web", "Deployment")["spec"]["replicas"] = 5
    _by_name(values, "web", "Service")["metadata"]["namespace"] = "prod"
    write_atomically(app, plan_writes(pkg, values))
    assert (app / "deployment.yaml").read_text() == (
        "# The web tier.\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: web # inline comment\n"
        "  labels:\n"
        "    app: web\n"
        "spec:\n"
        "  replicas: 5\n"
        "---\n"
        "# Its service.\n"
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  name: web\n"
        "  namespace: prod\n"
        "spec:\n"
        "  ports:\n"
        "    - port: 80 # http\n"
    )


def test_crlf_edit_and_append_keep_crlf(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_bytes(
        b"# head\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a # c\r\n"
        b"data:\r\n  k: v\r\n"
    )
    pkg = read_package(tmp_path)
    values = values_of(pkg)
    values[0]["data"]["k2"] = "v2"
    new = {
        "apiVersion": "v1",
        "kind": "X",
        "metadata": {"name": "n", "annotations": {ann.PATH: "c.yaml"}},
    }
    write_atomically(tmp_path, plan_writes(pkg, [*values, new]))
    assert (tmp_path / "c.yaml").read_bytes() == (
        b"# head\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a # c\r\n"
        b"data:\r\n  k: v\r\n  k2: v2\r\n---\r\napiVersion: v1\r\nkind: X\r\nmetadata:\r\n"
        b"  name: n\r\n"
    )
