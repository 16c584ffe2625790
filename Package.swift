// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "posta",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "posta", targets: ["posta"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/CoreOffice/XMLCoder.git", from: "0.18.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
    ],
    targets: [
        // libcrypt (crypt_r, crypt_gensalt_rn) for the crypt(3) password schemes.
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        // Config, addresses, SQL layer, logging: imports no other Posta module.
        .target(
            name: "Core",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                // The metrics facade: each module's `PostaMetric`s count through it (Sources/Core/Metrics).
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // LDAPv3 client (RFC 4511): sans-I/O BER codec, filters and controls (Sources/LDAP/Codec),
        // client session and NIO connection pool (Sources/LDAP/Client).
        .target(
            name: "LDAP",
            dependencies: [
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Domains, users, aliases, password schemes; the LDAP directory backend.
        .target(
            name: "Directory",
            dependencies: [
                "Core", "CCrypt", "LDAP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // Mailboxes, messages (Maildir++ files + SQL index), quotas, change notifications.
        .target(
            name: "Store",
            dependencies: [
                "Core", "Directory",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // Message files are read on NIO's blocking pool (MessageFileReader).
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // SMTP/LMTP: sans-I/O server core (Sources/SMTP/Core) and NIO adapters.
        .target(
            name: "SMTP",
            dependencies: [
                "Core", "Directory", "Store", "Queue", "Connection", "DNS", "Filter", "MIME",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // DANE (Sources/SMTP/Outbound/DANE*): certificate fields, chain signatures, TLSA digests.
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // ManageSieve (RFC 5804): sans-I/O codec and session (Sources/ManageSieve/Core) and NIO adapter.
        // The script store is a protocol (`ManageSieveScriptStore`) that Server makes Sieve's storage meet.
        .target(
            name: "ManageSieve",
            dependencies: [
                "Core", "Directory", "Connection",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // POP3: sans-I/O server core (Sources/POP3/Core) and NIO adapter.
        .target(
            name: "POP3",
            dependencies: [
                "Core", "Directory", "Store", "Connection",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every protocol adapter's connection needs: read gating during effects, STARTTLS.
        .target(
            name: "Connection",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Stub resolver (UDP/TCP, cache, MX/A/AAAA/TXT/PTR/CNAME): imports no other Posta module.
        .target(
            name: "DNS",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Spool, durable queue, local delivery, retries.
        .target(
            name: "Queue",
            dependencies: [
                "Core", "Directory", "Store", "Filter", "MIME",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // RFC 5322 / 2045-2049 / 2047 / 2231 parsing, ENVELOPE and BODYSTRUCTURE values, decoded text:
        // imports no other Posta module.
        .target(name: "MIME"),
        // Migration in from Dovecot/Postfix sites: sans-I/O parsers of their files (Sources/Migration/Formats):
        // dovecot-uidlist, dovecot-keywords, Maildir names, subscriptions, mbox, passwd-file, LDIF, Postfix maps.
        .target(
            name: "Migration",
            dependencies: [
                "Core", "MIME", "Store", "Directory", "Admin", .product(name: "Crypto", package: "swift-crypto"),
                // `posta import imap` (Sources/Migration/IMAPPull): an IMAP client over TCP and TLS.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        // Content filtering: clamd, spamd, rspamd clients, built-in checks, the quarantine.
        .target(
            name: "Filter",
            dependencies: [
                "Core", "MIME",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // SPF (RFC 7208), DKIM (RFC 6376, RFC 8463), DMARC (RFC 9989) and its aggregate reports
        // (RFC 9990). Lookups go through protocols the DNS resolver meets; MIME reads report mail;
        // Core and SQLKit only for the DKIM key store (Sources/MailAuth/Keys). (ZIPFoundation makes
        // test archives only: it traps or loops on malformed ones, so report archives are read by
        // DMARCZipReader.)
        .target(
            name: "MailAuth",
            dependencies: [
                "DNS", "Core", "MIME",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "XMLCoder", package: "XMLCoder"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // IMAP4rev1/rev2: sans-I/O codec and session (Sources/IMAP/Codec, Session), mailbox views, NIO adapter.
        .target(
            name: "IMAP",
            dependencies: [
                "Core", "Directory", "Store", "MIME", "Connection",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Policies, modules (access, HELO, SPF, greylisting, quotas, accounting), Postfix delegation protocol;
        // DMARC's stored results and received aggregate reports.
        .target(
            name: "Policy",
            dependencies: [
                "Core", "MailAuth", "DNS", "Connection",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Cluster node registry and leases, health checks, compromised-account detection and containment.
        .target(
            name: "Monitor",
            dependencies: [
                "Core", "Directory", "Queue", "Store",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                // `posta check` probes (Sources/Monitor/Checks): a line client over TCP and TLS, certificates.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        // The webmail's service layer: folders, message lists (sorted and paged in SQL), reading,
        // flags and moves, search, compose and settings of one account, on Store and Directory directly.
        .target(
            name: "Webmail",
            dependencies: [
                "Core", "Directory", "Store", "MIME", "HTML",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // Mailing lists: lists and members, the posting pipeline (moderation, held messages),
        // the list fields of RFC 2369/2919/8058 and delivery through the queue, bounce parsing.
        .target(
            name: "Lists",
            dependencies: [
                "Core", "Directory", "Queue", "MIME", "MailAuth", "DNS",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Sieve (RFC 5228 and extensions): the language (parser, validator, interpreter: sans-I/O)
        // and, in Storage/, the scripts' tables, delivery-time rules, vacation state and sends.
        .target(
            name: "Sieve",
            dependencies: [
                "Core", "MIME", "Directory", "Store", "Queue",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The administration service layer shared by the CLI, the admin console and the JSON API:
        // administrators and their roles, permission checks, sessions, API tokens, the audit log,
        // and the operations on domains, accounts, aliases, the queue and the policies.
        .target(
            name: "Admin",
            dependencies: [
                "Core", "Directory", "Store", "Queue", "Policy", "Filter", "Monitor", "MailAuth", "Lists",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // HTML5 tokenizer, simplified tree builder, serialiser and the allowlist sanitiser for HTML mail
        // (webmail): imports no other module, not even Foundation.
        .target(name: "HTML", exclude: ["generate-entities.py"]),
        // Hummingbird front ends over `Admin`: the admin console (server-rendered HTML, templates and
        // assets embedded), the JSON API (generated from Sources/Web/openapi.json), client
        // autoconfiguration. No business logic here: every handler calls `Admin`.
        .target(
            name: "Web",
            dependencies: [
                "Admin", "Core", "Directory", "Queue", "Policy", "Monitor", "MailAuth", "Webmail", "MIME", "Lists",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                // The webmail's event streams end when the server shuts down (`cancelOnGracefulShutdown`).
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The console's file uploads (multipart/form-data, RFC 7578): report imports.
                .product(name: "MultipartKit", package: "multipart-kit"),
                // Signed configuration profiles (CMS, Sources/Web/Autoconfig/MobileConfigSigner.swift).
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            // The admin console's templates, CSS and JavaScript and the API's OpenAPI document,
            // compiled into the binary (`PackageResources.<name>_<ext>`): no files to install, no
            // front-end build step. The generator plugin reads the same openapi.json.
            resources: [
                .embedInCode("openapi.json"),
                .embedInCode("Assets/abuse.mustache"),
                .embedInCode("Assets/list_unsubscribe.mustache"),
                .embedInCode("Assets/list_head.mustache"),
                .embedInCode("Assets/list_foot.mustache"),
                .embedInCode("Assets/list_confirm.mustache"),
                .embedInCode("Assets/list_subscribe.mustache"),
                .embedInCode("Assets/list_options.mustache"),
                .embedInCode("Assets/list_archive.mustache"),
                .embedInCode("Assets/list_archive_message.mustache"),
                .embedInCode("Assets/list_archive_thread.mustache"),
                .embedInCode("Assets/console_list_rules.mustache"),
                .embedInCode("Assets/console_lists.mustache"),
                .embedInCode("Assets/console_list.mustache"),
                .embedInCode("Assets/console_list_delete.mustache"),
                .embedInCode("Assets/console_list_held.mustache"),
                .embedInCode("Assets/console_list_held_post.mustache"),
                .embedInCode("Assets/abuse_account.mustache"),
                .embedInCode("Assets/abuse_report.mustache"),
                .embedInCode("Assets/account.mustache"),
                .embedInCode("Assets/account_deleted.mustache"),
                .embedInCode("Assets/accounts.mustache"),
                .embedInCode("Assets/admins.mustache"),
                .embedInCode("Assets/aliases.mustache"),
                .embedInCode("Assets/audit.mustache"),
                .embedInCode("Assets/chart.mustache"),
                .embedInCode("Assets/console.css"),
                .embedInCode("Assets/console.js"),
                .embedInCode("Assets/dashboard.mustache"),
                .embedInCode("Assets/dkim.mustache"),
                .embedInCode("Assets/dns.mustache"),
                .embedInCode("Assets/filter_row.mustache"),
                .embedInCode("Assets/filters.mustache"),
                .embedInCode("Assets/domains.mustache"),
                .embedInCode("Assets/error.mustache"),
                .embedInCode("Assets/foot.mustache"),
                .embedInCode("Assets/head.mustache"),
                .embedInCode("Assets/login.mustache"),
                .embedInCode("Assets/logins.mustache"),
                .embedInCode("Assets/me.mustache"),
                .embedInCode("Assets/policies.mustache"),
                .embedInCode("Assets/quarantine.mustache"),
                .embedInCode("Assets/quarantine_entry.mustache"),
                .embedInCode("Assets/queue.mustache"),
                .embedInCode("Assets/queue_entry.mustache"),
                .embedInCode("Assets/reports.mustache"),
                .embedInCode("Assets/reports_dmarc.mustache"),
                .embedInCode("Assets/reports_mta_sts.mustache"),
                .embedInCode("Assets/reports_tls.mustache"),
                .embedInCode("Assets/security.mustache"),
                .embedInCode("Assets/summary.mustache"),
                // The webmail's pages, CSS and JavaScript (Sources/Web/Mail).
                .embedInCode("Assets/mail_head.mustache"),
                .embedInCode("Assets/mail_foot.mustache"),
                .embedInCode("Assets/mail_login.mustache"),
                .embedInCode("Assets/mail_error.mustache"),
                .embedInCode("Assets/mail_rows.mustache"),
                .embedInCode("Assets/mail_toolbar.mustache"),
                .embedInCode("Assets/mail_list.mustache"),
                .embedInCode("Assets/mail_pager.mustache"),
                .embedInCode("Assets/mail_search.mustache"),
                .embedInCode("Assets/mail_message.mustache"),
                .embedInCode("Assets/mail_frame.mustache"),
                .embedInCode("Assets/mail_folders.mustache"),
                .embedInCode("Assets/mail_settings.mustache"),
                .embedInCode("Assets/mail_kept.mustache"),
                .embedInCode("Assets/mail_compose.mustache"),
                .embedInCode("Assets/mail_deleted.mustache"),
                .embedInCode("Assets/mail.css"),
                .embedInCode("Assets/mail.js"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // Listeners, TLS contexts, lifecycle, HTTP endpoint: wires everything below.
        .target(
            name: "Server",
            dependencies: [
                "Filter", "Core", "Directory", "Store", "Queue", "SMTP", "POP3", "IMAP", "DNS", "Policy", "MailAuth",
                "Connection", "Monitor", "Admin", "Web", "Webmail", "Lists", "Sieve", "ManageSieve",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                // GET /metrics: the facade's values in a Prometheus registry (Sources/Server/PostaMetrics.swift).
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Online backups: database snapshot + the files it names, incremental by hard links, with a
        // checksummed manifest (Sources/Backup). Reads the site through Core's SQL layer only.
        .target(
            name: "Backup",
            dependencies: [
                "Core", "Store", "Directory", "MIME",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "posta",
            dependencies: [
                "Filter", "Core", "Directory", "Queue", "Server", "Policy", "MailAuth", "DNS", "Monitor", "Admin", "Lists",
                "Sieve", "Backup", "Migration", "IMAP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PostaTestSupport",
            dependencies: ["Core", "DNS", "Directory", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/PostaTestSupport"),
        .testTarget(
            name: "QueueTests",
            dependencies: [
                "Queue", "Store", "Directory", "Core", "PostaTestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "PostaTestSupport"]),
        .testTarget(
            name: "LDAPTests",
            dependencies: [
                "LDAP", .product(name: "SwiftASN1", package: "swift-asn1"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Core", "DNS", "MailAuth", "PostaTestSupport"]),
        .testTarget(
            name: "MonitorTests",
            dependencies: [
                "Monitor", "Core", "Directory", "Queue", "MIME", "PostaTestSupport",
                .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "AdminTests",
            dependencies: [
                "Admin", "Core", "Directory", "Store", "Queue", "Policy", "Monitor", "MailAuth", "Filter", "PostaTestSupport",
            ]),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "Admin", "Core", "Directory", "Store", "Queue", "Policy", "Monitor", "MailAuth", "Filter",
                "PostaTestSupport", "Webmail", "MIME", "Lists",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "ListsTests",
            dependencies: [
                "Lists", "Queue", "Directory", "Store", "Core", "MIME", "MailAuth", "PostaTestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "SQLKit", package: "sql-kit"),
            ]),
        .testTarget(
            name: "SieveDeliveryTests",
            dependencies: [
                "Sieve", "Queue", "Directory", "Store", "Core", "PostaTestSupport",
                .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "WebmailTests", dependencies: ["Webmail", "Store", "Directory", "Core", "MIME", "PostaTestSupport"]),
        // The hostile corpus (Resources/hostile) is read from the source tree; the webmail browser test reads it too.
        .testTarget(name: "HTMLTests", dependencies: ["HTML"], exclude: ["Resources"]),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "PostaTestSupport"]),
        .testTarget(name: "MIMETests", dependencies: ["MIME", "PostaTestSupport"]),
        // Fixtures (made by Dovecot 2.3 itself) are read from the source tree.
        .testTarget(
            name: "MigrationTests",
            dependencies: ["Migration", "Core", "MIME", "Store", "Directory", "IMAP", "PostaTestSupport"],
            exclude: ["Fixtures"]),
        // The differential corpus (interop/data/sieve) is read from the source tree by SieveCorpusTests.
        .testTarget(name: "SieveTests", dependencies: ["Sieve", "Core", "MIME", "PostaTestSupport"]),
        .testTarget(name: "FilterTests", dependencies: ["Filter", "Core", "MIME", "PostaTestSupport"]),
        .testTarget(
            name: "MailAuthTests",
            dependencies: [
                "MailAuth", "DNS", "Core", "PostaTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        .testTarget(name: "IMAPTests", dependencies: ["IMAP", "Store", "Directory", "Core", "MIME", "PostaTestSupport"]),
        .testTarget(
            name: "SMTPTests",
            dependencies: [
                "SMTP", "Core", "Queue", "DNS", "PostaTestSupport", .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .testTarget(name: "POP3Tests", dependencies: ["POP3", "Core"]),
        .testTarget(name: "ManageSieveTests", dependencies: ["ManageSieve", "Connection", "PostaTestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Core", "Directory", "PostaTestSupport"]),
        .testTarget(
            name: "BackupTests",
            dependencies: [
                "Backup", "Core", "Store", "Directory", "Queue", "MIME", "PostaTestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "DirectoryTests", dependencies: ["Directory", "Core", "PostaTestSupport"]),
        .testTarget(
            name: "ConnectionTests",
            dependencies: [
                "Connection",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Core", "Directory", "Store", "PostaTestSupport", "Connection", "SMTP", "Queue", "IMAP", "POP3",
                "Policy", "Filter",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
