/// Comparison whose running time does not depend on where two byte strings differ.
enum ConstantTime {
    /// True when `candidate` equals `expected`. Always walks all of `expected`
    /// (no early exit); a length mismatch is folded into the result rather
    /// than returned early, so only the attacker's own input length shows.
    static func equal(_ candidate: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: candidate.count ^ expected.count)
        let candidateCount = candidate.count
        for index in 0..<expected.count {
            let byte = index < candidateCount ? candidate[index] : 0
            difference |= UInt(byte ^ expected[index])
        }
        return difference == 0
    }
}
