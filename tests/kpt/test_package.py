"""read_package on real fixture packages: files, order, subpackages, .krmignore."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.errors import InputError, PackageError
from runner.kpt.package import read_package
from runner.krm import annotations as ann


def _ids(resources: list) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return [(r.path, r.index, r.display) for r in resources]


def test_reads_own_files_in_walk_order_honouring_krmignore(app: Path) -> None:
    pkg = read_package(app)
    assert _ids(pkg.resources) == [
        ("deployment.yaml", 0, "Deployment/web"),
        ("deployment.yaml", 1, "Service/web"),
        ("dir/inner.yml", 0, "ConfigMap/inner"),
        ("keep.skip.yaml", 0, "ConfigMap/kept-by-negation"),
    ]
    # Kptfile and the local-config function config are held back, not dropped.
    assert _ids(pkg.held_back) == [
        ("Kptfile", 0, "Kptfile/app"),
        ("fn-config.yaml", 0, "ConfigMap/ns-config"),
    ]
    assert [(r.path, r.index) for r in pkg.non_krm] == [("values.yaml", 0)]
    assert sorted(pkg.files) == [
        "Kptfile",
        "deployment.yaml",
        "dir/inner.yml",
        "fn-config.yaml",
        "keep.skip.yaml",
        "values.yaml",
    ]
    assert pkg.subpackages == ["sub"]
    assert pkg.packages == [""]


def test_annotations_added_for_functions(app: Path) -> None:
    pkg = read_package(app)
    service = pkg.resources[1].value
    annotations = service["metadata"]["annotations"]
    assert annotations[ann.PATH] == "deployment.yaml"
    assert annotations[ann.INDEX] == "1"
    assert annotations[ann.LEGACY_PATH] == "deployment.yaml"
    assert annotations[ann.LEGACY_INDEX] == "1"
    assert annotations[ann.ID] == "2"  # ids count every KRM resource, held back or not
    # The parsed original is untouched (no annotations were added to it).
    assert "annotations" not in pkg.resources[1].document.value["metadata"]


def test_non_krm_document_is_skipped_with_a_warning(app: Path) -> None:
    pkg = read_package(app)
    assert any("values.yaml" in w and "not a KRM resource" in w for w in pkg.warnings)


def test_strict_krm_rejects_non_krm_like_kpt(app: Path) -> None:
    with pytest.raises(InputError, match=r"values.yaml.*must have `apiVersion`"):
        read_package(app, strict_krm=True)


def test_include_meta_gives_kptfile_and_local_config_to_functions(app: Path) -> None:
    pkg = read_package(app, include_meta=True)
    assert pkg.held_back == []
    assert [r.display for r in pkg.resources][:2] == ["Kptfile/app", "Deployment/web"]
    assert "ConfigMap/ns-config" in [r.display for r in pkg.resources]


def test_include_subpackages_reads_the_tree_with_each_packages_krmignore(app: Path) -> None:
    pkg = read_package(app, include_subpackages=True)
    assert [(r.path, r.package) for r in pkg.resources] == [
        ("deployment.yaml", ""),
        ("deployment.yaml", ""),
        ("dir/inner.yml", ""),
        ("keep.skip.yaml", ""),
        ("sub/cm.yaml", "sub"),  # sub/cm-ignored.yaml is hidden by sub/.krmignore
        ("sub/nested/secret.yaml", "sub/nested"),
    ]
    assert pkg.packages == ["", "sub", "sub/nested"]
    assert [r.path for r in pkg.held_back] == [
        "Kptfile",
        "fn-config.yaml",
        "sub/Kptfile",
        "sub/nested/Kptfile",
    ]
    assert len([r for r in pkg.resources if r.package == "sub"]) == 1


def test_subpackages_are_the_direct_ones_read_or_not(app: Path) -> None:
    assert read_package(app).subpackages == ["sub"]
    assert read_package(app).packages == [""]
    assert read_package(app / "sub").subpackages == ["nested"]


def test_subpackage_found_below_a_plain_directory(tmp_path: Path) -> None:
    (tmp_path / "a/b").mkdir(parents=True)
    (tmp_path / "a/b/Kptfile").write_text(
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata: {name: b}\n"
    )
    assert read_package(tmp_path).subpackages == ["a/b"]


def test_walk_order_matches_go_filepath_walk(tmp_path: Path) -> None:
    # Walk visits b/ before b.yaml ("b" < "b.yaml"); a plain path sort would not.
    for rel in ("b.yaml", "b/x.yaml", "a.yaml"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        name = rel.replace("/", "-").replace(".yaml", "")
        (tmp_path / rel).write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
    assert [r.path for r in read_package(tmp_path).resources] == ["a.yaml", "b/x.yaml", "b.yaml"]


def test_index_counts_only_non_empty_documents(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "---\n# just a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
        "---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
    )
    pkg = read_package(tmp_path)
    assert [(r.display, r.index) for r in pkg.resources] == [("ConfigMap/a", 0), ("ConfigMap/b", 1)]


def test_missing_name_names_file_line_and_document(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  labels: {a: b}\n"
    )
    with pytest.raises(
        InputError, match=r"x\.yaml:\d+: document 1: Service resource must have `metadata\.name`"
    ):
        read_package(tmp_path)


def test_kustomization_needs_no_name(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- a.yaml\n"
    )
    pkg = read_package(tmp_path, strict_krm=True)
    assert [r.path for r in pkg.resources] == ["kustomization.yaml"]


def test_a_kustomization_without_apiversion_is_kept_from_functions(tmp_path: Path) -> None:
    # Regression: it reached the functions, whose output then failed "items[N]: field
    # apiVersion is missing", naming neither the file nor the problem.
    (tmp_path / "kustomization.yaml").write_text("resources:\n- a.yaml\n")
    pkg = read_package(tmp_path, strict_krm=True)
    assert pkg.resources == [] and pkg.warnings == []
    assert [r.path for r in pkg.non_krm] == ["kustomization.yaml"]


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: [unclosed\n"
    )
    with pytest.raises(InputError, match=r"bad\.yaml:\d+:\d+: document 1: invalid YAML"):
        read_package(tmp_path)


def test_symlink_leaving_the_package_is_rejected(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: o\n")
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    os.symlink(outside, pkg / "link.yaml")
    with pytest.raises(PackageError, match=r"link\.yaml: symlink points outside the package"):
        read_package(pkg)


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="not a directory"):
        read_package(tmp_path / "nope")


def test_crlf_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "crlf.yaml").write_bytes(
        b"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  a: b\r\n"
    )
    pkg = read_package(tmp_path)
    assert pkg.resources[0].value["data"] == {"a": "b"}
    assert pkg.files["crlf.yaml"].newline == "\r\n"


def test_a_subpackage_krmignore_hides_is_not_a_package_of_the_tree(tmp_path: Path) -> None:
    # Regression: two walkers once disagreed; render printed [PASS] for a package it never read.
    kptfile = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata: {{name: {}}}\n"
    (tmp_path / "hidden").mkdir()
    (tmp_path / "Kptfile").write_text(kptfile.format("root"))
    (tmp_path / "hidden/Kptfile").write_text(kptfile.format("hidden"))
    (tmp_path / ".krmignore").write_text("hidden/\n")
    pkg = read_package(tmp_path, include_subpackages=True)
    assert pkg.packages == [""]
    assert pkg.subpackages == []
