// The loopback servers live in their own target so that benchmarks can use them without
// the test library; every test that imports KloudTestSupport sees them as before.
@_exported import LoopbackServers
