// The translation unit that builds the suites' shared precompiled header (tests/CMakeLists.txt,
// seam_test_pch). It holds nothing of its own.
