"""Everything that is not the product: benchmarks, the schedule fuzzer, protocol peers, the soak, and the app
server helper they and the e2e tests share. The product never imports tools/."""
