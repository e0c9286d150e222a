package cryptosessions

// ModuleVersion is this Go package's version: the workspace's, written by
// `make set-version`. The linked C library reports its own with Version(); a
// release copy of the module carries a library of the same version.
const ModuleVersion = "0.1.0"
