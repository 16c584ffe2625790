extension PostaConfig {
    /// The TOML text `posta serve --dev` writes: hostname `localhost`, `data_dir = "."` (the
    /// file's own folder), SQLite, `tls/cert.pem` + `tls/key.pem`, default limits, and one
    /// listener on 127.0.0.1 (unprivileged port) for each of `protocols`.
    public static func developmentTemplate(protocols: Set<ListenerProtocol> = Set(ListenerProtocol.allCases))
        -> String
    {
        #"""
        # Posta site configuration, written by `posta serve --dev`.
        # Every key is described in docs/config.md; check a change with `posta config check`.

        # This server's DNS name, used in greetings and Received: headers.
        hostname = "localhost"
        # Where mail, the database and TLS files live; "." is the folder of this file.
        data_dir = "."
        # Unique name of this node in a cluster (default: first label of hostname).
        node_id = "localhost"

        [log]
        format = "text"   # text | json
        level = "info"    # trace | debug | info | notice | warning | error | critical

        [database]
        url = "sqlite:posta.db"   # relative to data_dir; or postgres://user:pass@host/db
        pool_size = 8

        [tls]
        # A self-signed pair is generated here on first start in --dev mode.
        cert = "tls/cert.pem"
        key = "tls/key.pem"

        [limits]
        max_connections = 2000
        max_connections_per_ip = 50
        idle_timeout = "5m"
        max_message_size = "50M"
        max_line_length = 4096
        max_recipients = 1000

        # One listener per protocol, reachable from this machine only.

        """# + developmentListeners.filter { protocols.contains($0.protocol) }.map(\.toml).joined(separator: "\n")
    }

    /// The development listeners, one per protocol, on 127.0.0.1.
    static let developmentListeners: [(protocol: ListenerProtocol, toml: String)] = [
        (.smtp, listener("smtp", 2525, "starttls", "incoming mail (production: port 25)")),
        (.submission, listener("submission", 2587, "starttls", "clients sending mail, STARTTLS (production: 587)")),
        (.submissions, listener("submissions", 2465, "implicit", "clients sending mail, implicit TLS (production: 465)")),
        (.imap, listener("imap", 2143, "starttls", "production: 143")),
        (.imaps, listener("imaps", 2993, "implicit", "production: 993")),
        (.pop3, listener("pop3", 2110, "starttls", "production: 110")),
        (.pop3s, listener("pop3s", 2995, "implicit", "production: 995")),
        (.managesieve, listener("managesieve", 24190, "starttls", "Sieve scripts, RFC 5804 (production: 4190)")),
        (.http, listener("http", 8080, "none", "health and metrics; everything else redirects to HTTPS")),
        (.http, listener("http", 8443, "implicit", "admin console (https://localhost:8443/admin), API, autoconfig")),
        (.policy, listener("policy", 10031, "none", "policy delegation for other MTAs")),
    ]

    private static func listener(_ name: String, _ port: Int, _ tls: String, _ comment: String) -> String {
        """
        [[listener]]
        protocol = "\(name)"  # \(comment)
        address = "127.0.0.1:\(port)"
        tls = "\(tls)"

        """
    }
}
