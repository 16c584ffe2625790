import Mustache

/// The console's Mustache templates, CSS and JavaScript, embedded in the binary by SwiftPM
/// (`resources: [.embedInCode(...)]` generates `PackageResources`). Templates use `{{name}}`
/// only, which HTML-escapes; the triple mustache is never used.
struct ConsoleTemplates: Sendable {
    let library: MustacheLibrary

    /// Every template by the name pages and partials use.
    static let sources: [(String, [UInt8])] = [
        ("head", PackageResources.head_mustache), ("foot", PackageResources.foot_mustache),
        ("login", PackageResources.login_mustache), ("error", PackageResources.error_mustache),
        ("dashboard", PackageResources.dashboard_mustache), ("chart", PackageResources.chart_mustache),
        ("domains", PackageResources.domains_mustache),
        ("accounts", PackageResources.accounts_mustache), ("account", PackageResources.account_mustache),
        ("account_deleted", PackageResources.account_deleted_mustache),
        ("aliases", PackageResources.aliases_mustache), ("queue", PackageResources.queue_mustache),
        ("queue_entry", PackageResources.queue_entry_mustache), ("logins", PackageResources.logins_mustache),
        ("audit", PackageResources.audit_mustache), ("admins", PackageResources.admins_mustache),
        ("me", PackageResources.me_mustache), ("policies", PackageResources.policies_mustache),
        ("security", PackageResources.security_mustache),
        ("abuse", PackageResources.abuse_mustache), ("abuse_account", PackageResources.abuse_account_mustache),
        ("dkim", PackageResources.dkim_mustache), ("dns", PackageResources.dns_mustache),
        ("quarantine", PackageResources.quarantine_mustache),
        ("quarantine_entry", PackageResources.quarantine_entry_mustache),
        ("filters", PackageResources.filters_mustache), ("filter_row", PackageResources.filter_row_mustache),
        ("summary", PackageResources.summary_mustache), ("abuse_report", PackageResources.abuse_report_mustache),
        ("reports", PackageResources.reports_mustache), ("reports_dmarc", PackageResources.reports_dmarc_mustache),
        ("reports_tls", PackageResources.reports_tls_mustache),
        ("reports_mta_sts", PackageResources.reports_mta_sts_mustache),
        ("mail_head", PackageResources.mail_head_mustache),
        ("mail_foot", PackageResources.mail_foot_mustache),
        ("mail_login", PackageResources.mail_login_mustache),
        ("mail_error", PackageResources.mail_error_mustache),
        ("mail_rows", PackageResources.mail_rows_mustache),
        ("mail_toolbar", PackageResources.mail_toolbar_mustache),
        ("mail_list", PackageResources.mail_list_mustache),
        ("mail_pager", PackageResources.mail_pager_mustache),
        ("mail_search", PackageResources.mail_search_mustache),
        ("mail_message", PackageResources.mail_message_mustache),
        ("mail_frame", PackageResources.mail_frame_mustache),
        ("mail_folders", PackageResources.mail_folders_mustache),
        ("mail_settings", PackageResources.mail_settings_mustache),
        ("mail_kept", PackageResources.mail_kept_mustache),
        ("mail_compose", PackageResources.mail_compose_mustache),
        ("mail_deleted", PackageResources.mail_deleted_mustache),
        ("list_head", PackageResources.list_head_mustache),
        ("list_foot", PackageResources.list_foot_mustache),
        ("list_unsubscribe", PackageResources.list_unsubscribe_mustache),
        ("list_confirm", PackageResources.list_confirm_mustache),
        ("list_subscribe", PackageResources.list_subscribe_mustache),
        ("list_options", PackageResources.list_options_mustache),
        ("list_archive", PackageResources.list_archive_mustache),
        ("list_archive_message", PackageResources.list_archive_message_mustache),
        ("list_archive_thread", PackageResources.list_archive_thread_mustache),
        ("console_list_rules", PackageResources.console_list_rules_mustache),
        ("console_lists", PackageResources.console_lists_mustache),
        ("console_list", PackageResources.console_list_mustache),
        ("console_list_delete", PackageResources.console_list_delete_mustache),
        ("console_list_held", PackageResources.console_list_held_mustache),
        ("console_list_held_post", PackageResources.console_list_held_post_mustache),
    ]

    static let css: [UInt8] = PackageResources.console_css
    static let javascript: [UInt8] = PackageResources.console_js
    static let mailCSS: [UInt8] = PackageResources.mail_css
    static let mailJavaScript: [UInt8] = PackageResources.mail_js

    init() throws {
        var library = MustacheLibrary()
        for (name, bytes) in Self.sources {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    /// The page `name` rendered with `context`; a missing template is a programming error caught by
    /// the tests (every template is rendered there).
    /// The page `name` rendered with `context`; nil when there is no such template.
    func render(_ name: String, _ context: [String: Any]) -> String? {
        library.render(context, withTemplate: name)
    }
}
