import CompressNIO
import Core
import Foundation
import NIOCore
import SQLKit

/// Why a received TLS report was refused.
public struct TLSRPTReportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension TLSRPTReport {
    /// Bounds on a received report: octets as received, octets of JSON after gzip, nesting depth,
    /// policies and failure details.
    public static let maxReceivedBytes = 4 * 1024 * 1024
    public static let maxJSONBytes = 16 * 1024 * 1024
    public static let maxDepth = 16
    public static let maxPolicies = 10_000
    public static let maxFailureDetails = 10_000

    /// Reads a received report: JSON, or JSON compressed with gzip (`application/tlsrpt+gzip`,
    /// RFC 8460 §5.3), within the bounds above. Members must have RFC 8460 §4.4's types; unknown
    /// members are ignored, an unknown `result-type` or `policy-type` refuses the report.
    public static func decode(received bytes: [UInt8]) throws(TLSRPTReportError) -> TLSRPTReport {
        guard bytes.count <= maxReceivedBytes else { throw TLSRPTReportError("larger than \(maxReceivedBytes) octets") }
        var json = bytes
        if bytes.starts(with: [0x1F, 0x8B]) {
            var buffer = ByteBuffer(bytes: bytes)
            do {
                json = Array(try buffer.decompress(with: .gzip(), maxSize: maxJSONBytes).readableBytesView)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw TLSRPTReportError("gzip data inflates beyond \(maxJSONBytes) octets")
            } catch {
                throw TLSRPTReportError("broken gzip data (\(error))")
            }
        }
        // Nesting is checked before any parser sees the text (brackets outside strings).
        var depth = 0
        var inString = false
        var escaped = false
        for byte in json {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B:
                depth += 1
                guard depth <= maxDepth else { throw TLSRPTReportError("nested deeper than \(maxDepth)") }
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        let report: TLSRPTReport
        do {
            report = try JSONDecoder().decode(TLSRPTReport.self, from: Data(json))
        } catch {
            throw TLSRPTReportError("not an RFC 8460 report: \(error)")
        }
        guard report.policies.count <= maxPolicies,
            report.policies.allSatisfy({ ($0.failureDetails?.count ?? 0) <= maxFailureDetails })
        else { throw TLSRPTReportError("too many policies or failure details") }
        return report
    }
}

/// A TLS report another sender sent about one of the site's domains, as stored.
public struct TLSRPTReceivedReport: Sendable, Hashable, Codable {
    public var receivedAt: Int64
    public var report: TLSRPTReport
}

/// TLS reports received for the site's own domains (`tlsrpt_received`): stored once per
/// organization and report-id (a report sent again is ignored).
public struct TLSRPTReceivedStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores `report`; false when it was already stored.
    @discardableResult
    public func store(_ report: TLSRPTReport, receivedAt: Int64) async throws -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        return try await database.transaction { db in
            let existing = try await db.raw(
                """
                SELECT received_at FROM tlsrpt_received
                WHERE organization_name = \(bind: report.organizationName) AND report_id = \(bind: report.reportID)
                """
            ).first()
            guard existing == nil else { return false }
            try await db.raw(
                """
                INSERT INTO tlsrpt_received (organization_name, report_id, start_datetime, received_at, report)
                VALUES (\(bind: report.organizationName), \(bind: report.reportID), \(bind: report.dateRange.start),
                  \(bind: receivedAt), \(bind: json))
                """
            ).run()
            return true
        }
    }

    /// The stored reports, newest period first.
    public func reports(limit: Int? = nil) async throws -> [TLSRPTReceivedReport] {
        let rows = try await database.snapshot { db in
            var sql: SQLQueryString =
                "SELECT received_at, report FROM tlsrpt_received ORDER BY start_datetime DESC, organization_name"
            if let limit { sql += " LIMIT \(literal: max(0, limit))" }
            return try await db.raw(sql).all().map {
                (try $0.decode(column: "received_at", as: Int64.self), try $0.decode(column: "report", as: String.self))
            }
        }
        return rows.compactMap { receivedAt, json in
            (try? JSONDecoder().decode(TLSRPTReport.self, from: Data(json.utf8))).map {
                TLSRPTReceivedReport(receivedAt: receivedAt, report: $0)
            }
        }
    }
}
