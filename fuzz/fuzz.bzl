"""vellum_fuzz_target: one libFuzzer target plus a test that replays its seed corpus.

Usage, in fuzz/BUILD.bazel (append one block per parser of untrusted input):

    load("//fuzz:fuzz.bzl", "vellum_fuzz_target")

    vellum_fuzz_target(
        name = "tile_path_fuzzer",
        srcs = ["tile_path_fuzzer.cc"],
        deps = ["//proof:tile"],
        corpus = glob(["corpus/tile_path_fuzzer/*"]),
    )

Each source defines

    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

and signals a bug by crashing (a failed CHECK, `__builtin_trap()`, or a sanitizer report).

The macro creates:

  * `name`, a cc_binary. Under `--config=fuzz` (define fuzz=libfuzzer) it links libFuzzer's own
    main with `-fsanitize=fuzzer`; run it as `bazel-bin/fuzz/<name> -max_total_time=60 DIR`, or
    use tools/fuzz.sh for every target. In ordinary builds it links //fuzz:standalone_main,
    which runs LLVMFuzzerTestOneInput once over every file (or file in a directory) named on the
    command line, so a crashing input can be replayed with any compiler and sanitizer config:
    `bazel run //fuzz:<name> -- /path/to/crash`.
  * `name + "_corpus_test"`, a cc_test that replays every file of `corpus` through the
    standalone driver. It runs in ordinary `bazel test //...`, so the seeds are exercised under
    every crypto and sanitizer config. It fails when `corpus` is empty: no vacuous passes.
"""

def vellum_fuzz_target(name, srcs, deps = [], corpus = [], **kwargs):
    """Declares the fuzz binary `name` and the test `name + "_corpus_test"`.

    Args:
      name: the fuzz target's name; by convention the source is `<name>.cc` and the seed
        corpus lives in `corpus/<name>/`.
      srcs: C++ sources; exactly one of them defines LLVMFuzzerTestOneInput.
      deps: the libraries under test.
      corpus: seed input files (usually a glob); must not be empty.
      **kwargs: passed to both rules (e.g. `tags`, `visibility`).
    """
    # Fuzz targets are test code: they may use the test backends (//ledger:memory_storage).
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        deps = deps + select({
            "//fuzz:libfuzzer": [],
            "//conditions:default": ["//fuzz:standalone_main"],
        }),
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        **kwargs
    )

    # Every corpus label becomes its list of runfiles paths, one argument per file. With no
    # corpus there are no arguments and the driver exits non-zero.
    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        srcs = srcs,
        deps = deps + ["//fuzz:standalone_main"],
        args = ["$(rootpaths %s)" % label for label in corpus],
        data = corpus,
        **kwargs
    )
