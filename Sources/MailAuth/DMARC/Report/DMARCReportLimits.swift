/// Bounds on reading aggregate reports, which arrive from anyone by mail (RFC 9990 §8.1: zip and
/// XML bombs): each is checked before the work it guards.
public struct DMARCReportLimits: Sendable, Hashable {
    /// Octets of the payload as given (a message, an archive, a document).
    public var payloadBytes: Int
    /// Octets of one XML document after decompression; a gzip or zip entry that inflates beyond
    /// is abandoned at this size.
    public var xmlBytes: Int
    /// Decompressed octets of all documents of one payload together (overlapping zip entries
    /// cannot multiply the work).
    public var totalXMLBytes: Int
    /// Entries of a zip archive.
    public var archiveEntries: Int
    /// Reports taken from one payload (attachments of a message, XML entries of an archive).
    public var reports: Int
    /// Nesting depth of XML elements (a report needs 5).
    public var depth: Int
    /// XML elements in one document.
    public var elements: Int
    /// `record` elements in one report.
    public var records: Int

    public init(
        payloadBytes: Int = 32 << 20, xmlBytes: Int = 16 << 20, totalXMLBytes: Int = 32 << 20, archiveEntries: Int = 16,
        reports: Int = 8, depth: Int = 32,
        elements: Int = 1_000_000, records: Int = 100_000
    ) {
        self.payloadBytes = payloadBytes
        self.xmlBytes = xmlBytes
        self.totalXMLBytes = totalXMLBytes
        self.archiveEntries = archiveEntries
        self.reports = reports
        self.depth = depth
        self.elements = elements
        self.records = records
    }
}

/// Why a payload gave no report.
public struct DMARCReportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
