extension PostaConfig {
    /// The TOML text `posta serve --dev` writes: hostname `localhost`, `data_dir = "."` (the
    /// file's own folder), SQLite, `tls/cert.pem` + `tls/key.pem`, default limits, and one
    /// listener per protocol on 127.0.0.1 with unprivileged ports.
    public static func developmentTemplate() -> String {
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
        level = "debug"   # trace | debug | info | notice | warning | error | critical

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

        [[listener]]
        protocol = "smtp"          # incoming mail (production: port 25)
        address = "127.0.0.1:2525"
        tls = "starttls"

        [[listener]]
        protocol = "submission"    # clients sending mail, STARTTLS (production: 587)
        address = "127.0.0.1:2587"
        tls = "starttls"

        [[listener]]
        protocol = "submissions"   # clients sending mail, implicit TLS (production: 465)
        address = "127.0.0.1:2465"
        tls = "implicit"

        [[listener]]
        protocol = "imap"          # production: 143
        address = "127.0.0.1:2143"
        tls = "starttls"

        [[listener]]
        protocol = "imaps"         # production: 993
        address = "127.0.0.1:2993"
        tls = "implicit"

        [[listener]]
        protocol = "pop3"          # production: 110
        address = "127.0.0.1:2110"
        tls = "starttls"

        [[listener]]
        protocol = "pop3s"         # production: 995
        address = "127.0.0.1:2995"
        tls = "implicit"

        [[listener]]
        protocol = "http"          # admin API, health and metrics
        address = "127.0.0.1:8080"
        tls = "none"

        [[listener]]
        protocol = "policy"        # policy delegation for other MTAs
        address = "127.0.0.1:10031"
        tls = "none"

        """#
    }
}
