/// `posta check smtp|submission|imap|pop3`: the verdict on one probe.
public enum ProtocolCheck {
    /// Default `-t`, seconds.
    public static let defaultTimeout = 10.0

    /// OK (or WARNING/CRITICAL by `-w`/`-c` on the response time) when the dialogue went through;
    /// CRITICAL when the server refused, answered wrongly or nothing listens; `timeoutStatus`
    /// (UNKNOWN unless `--timeout-state` says otherwise) when the probe ran out of time: Icinga's
    /// plugin guidelines ask for UNKNOWN on a plugin's own timeout, while the Monitoring Plugins
    /// guidelines count socket timeouts among the errors not to report as UNKNOWN, hence the choice
    /// (check_smtp's `-t N:STATE` offers the same).
    public static func result(
        _ report: ProbeReport, proto: ProbeProtocol, target: ProbeTarget, thresholds: Thresholds,
        timeoutStatus: PluginStatus = .unknown
    ) -> PluginResult {
        let service = proto.rawValue.uppercased()
        switch report.outcome {
        case .failure(.timedOut(let seconds)):
            return PluginResult(
                service: service, status: timeoutStatus,
                text: "timed out after \(Perfdata.number(seconds)) s talking to \(target.display)")
        case .failure(.refused(let text)), .failure(.network(let text)):
            return PluginResult(service: service, status: .critical, text: text)
        case .success(.failure(let text)):
            return PluginResult(
                service: service, status: .critical, text: "\(target.display): \(text)",
                perfdata: [time(report.seconds, thresholds)])
        case .success(.success(let banner, _)):
            let status = thresholds.status(of: report.seconds)
            return PluginResult(
                service: service, status: status,
                text:
                    "\(Perfdata.number(rounded(report.seconds))) s response time on \(target.display), \(ProbeDialogue.excerpt(banner))",
                perfdata: [time(report.seconds, thresholds)])
        }
    }

    static func time(_ seconds: Double, _ thresholds: Thresholds) -> Perfdata {
        Perfdata("time", rounded(seconds), unit: .seconds, thresholds: thresholds, min: 0)
    }

    /// Milliseconds are all a response time needs.
    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
