import Server
import Testing

@Suite("posta serve's open-file limit")
struct FileDescriptorLimitTests {
    @Test("the soft limit goes up to the hard one; a hard limit too low for max_connections is a warning")
    func plans() {
        let raised = FileDescriptorLimit.plan(soft: 1024, hard: 524_288, connections: 2000)
        #expect(raised.raiseTo == 524_288 && raised.warning == nil)
        let already = FileDescriptorLimit.plan(soft: 65_536, hard: 65_536, connections: 2000)
        #expect(already.raiseTo == nil && already.warning == nil)
        let low = FileDescriptorLimit.plan(soft: 1024, hard: 4096, connections: 10_000)
        #expect(low.raiseTo == 4096)
        #expect(low.warning?.contains("max_connections (10000)") == true)
        // An infinite hard limit is taken as Linux's fs.nr_open default.
        let infinite = FileDescriptorLimit.plan(soft: 1024, hard: UInt64.max, connections: 2000)
        #expect(infinite.raiseTo == 1 << 20)
    }
}
