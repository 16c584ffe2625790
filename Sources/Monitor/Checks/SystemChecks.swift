#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Space and inodes of one filesystem, as `statvfs(3)` reports them to an unprivileged user.
public struct DiskUsage: Sendable, Equatable {
    public var totalBytes: Double
    /// Free for unprivileged users (`f_bavail`): what Posta, not running as root, can still write.
    public var freeBytes: Double
    /// Used, root's reserve excluded (`f_blocks - f_bfree`).
    public var usedBytes: Double
    public var totalInodes: Double
    public var freeInodes: Double

    public init(totalBytes: Double, freeBytes: Double, usedBytes: Double, totalInodes: Double, freeInodes: Double) {
        self.totalBytes = totalBytes
        self.freeBytes = freeBytes
        self.usedBytes = usedBytes
        self.totalInodes = totalInodes
        self.freeInodes = freeInodes
    }

    /// Free space in percent of what users can have (used + available, as df(1) counts).
    public var freePercent: Double {
        let usable = usedBytes + freeBytes
        return usable > 0 ? freeBytes / usable * 100 : 100
    }

    /// Free inodes in percent; nil on filesystems without an inode count (btrfs reports 0).
    public var freeInodePercent: Double? { totalInodes > 0 ? freeInodes / totalInodes * 100 : nil }

    /// `statvfs` of `path`; the error names the path and the system's reason.
    public static func measure(_ path: String) throws(CheckError) -> DiskUsage {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else {
            throw CheckError("cannot read the filesystem of \(path): \(String(cString: strerror(errno)))")
        }
        let unit = Double(s.f_frsize)
        return DiskUsage(
            totalBytes: Double(s.f_blocks) * unit, freeBytes: Double(s.f_bavail) * unit,
            usedBytes: Double(s.f_blocks - s.f_bfree) * unit, totalInodes: Double(s.f_files),
            freeInodes: Double(s.f_favail))
    }
}

/// A check that could not measure what it measures: an UNKNOWN with this text.
public struct CheckError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `posta check disk`: free space and free inodes of the data folder's filesystem, in percent.
public enum DiskCheck {
    /// Warn below 20 % free, critical below 10 % (space and inodes alike).
    public static let defaultThresholds = Thresholds(
        warning: ThresholdRange(start: 20, end: nil), critical: ThresholdRange(start: 10, end: nil))

    public static func result(
        _ usage: DiskUsage, path: String, space: Thresholds = defaultThresholds, inodes: Thresholds = defaultThresholds
    ) -> PluginResult {
        let spaceStatus = space.status(of: usage.freePercent)
        let inodeStatus = usage.freeInodePercent.map { inodes.status(of: $0) } ?? .ok
        var text = "\(percent(usage.freePercent)) % free (\(bytes(usage.freeBytes)) of \(bytes(usage.totalBytes)))"
        if let inodePercent = usage.freeInodePercent { text += ", \(percent(inodePercent)) % inodes free" }
        var perfdata = [
            Perfdata("free", usage.freeBytes, unit: .bytes, min: 0, max: usage.totalBytes),
            Perfdata("free_pct", rounded(usage.freePercent), unit: .percent, thresholds: space, min: 0, max: 100),
        ]
        if let inodePercent = usage.freeInodePercent {
            perfdata.append(
                Perfdata("inodes_free_pct", rounded(inodePercent), unit: .percent, thresholds: inodes, min: 0, max: 100))
        }
        return PluginResult(
            service: "DISK", status: max(spaceStatus, inodeStatus), text: "\(path): " + text, perfdata: perfdata)
    }

    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
    static func percent(_ value: Double) -> String { Perfdata.number((value * 10).rounded() / 10) }

    static func bytes(_ value: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var v = value
        var i = 0
        while v >= 1024 && i < units.count - 1 {
            v /= 1024
            i += 1
        }
        return Perfdata.number((v * 10).rounded() / 10) + " " + units[i]
    }
}

/// `posta check load`: the 1, 5 and 15 minute load averages (`getloadavg(3)`).
public enum LoadCheck {
    /// `-w 15,10,5 -c 30,25,20`, as the Debian sample configuration calls check_load.
    public static let defaultWarning = "15,10,5"
    public static let defaultCritical = "30,25,20"

    /// Reads the three averages.
    public static func measure() throws(CheckError) -> [Double] {
        var loads = [Double](repeating: 0, count: 3)
        guard getloadavg(&loads, 3) == 3 else { throw CheckError("cannot read the load average") }
        return loads
    }

    /// One range for all three averages (`-w 5`), or three (`-w 5,4,3`), as check_load takes them.
    public static func ranges(_ text: String) throws(ThresholdRange.SyntaxError) -> [ThresholdRange] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 1 || parts.count == 3 else {
            throw ThresholdRange.SyntaxError(text: text, reason: "give one range or three (load1,load5,load15)")
        }
        var ranges: [ThresholdRange] = []
        for part in parts { ranges.append(try ThresholdRange(parsing: part)) }
        return parts.count == 1 ? Array(repeating: ranges[0], count: 3) : ranges
    }

    public static func result(_ loads: [Double], warning: [ThresholdRange], critical: [ThresholdRange]) -> PluginResult {
        let labels = ["load1", "load5", "load15"]
        var status = PluginStatus.ok
        var perfdata: [Perfdata] = []
        for i in 0..<3 {
            let thresholds = Thresholds(warning: warning[i], critical: critical[i])
            status = max(status, thresholds.status(of: loads[i]))
            perfdata.append(Perfdata(labels[i], (loads[i] * 100).rounded() / 100, thresholds: thresholds, min: 0))
        }
        let text = "load average: " + loads.map { Perfdata.number(($0 * 100).rounded() / 100) }.joined(separator: ", ")
        return PluginResult(service: "LOAD", status: status, text: text, perfdata: perfdata)
    }
}
