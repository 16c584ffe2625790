/// A small DMARC aggregate report (RFC 9990) and SMTP TLS report (RFC 8460 §4.4) about
/// example.org, for the import tests of the service layer and the API.
public enum ReportImportFixtures {
    public static let dmarc = """
        <?xml version="1.0" encoding="UTF-8"?>
        <feedback>
          <report_metadata><org_name>receiver.example</org_name><email>noreply@receiver.example</email>
            <report_id>r-42</report_id><date_range><begin>1764720000</begin><end>1764806399</end></date_range>
          </report_metadata>
          <policy_published><domain>example.org</domain><adkim>r</adkim><aspf>r</aspf><p>none</p></policy_published>
          <record>
            <row><source_ip>192.0.2.25</source_ip><count>3</count>
              <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><header_from>example.org</header_from></identifiers>
            <auth_results><dkim><domain>example.org</domain><result>pass</result></dkim>
              <spf><domain>example.org</domain><result>fail</result></spf></auth_results>
          </record>
        </feedback>
        """

    public static let tls = """
        {"organization-name":"Company-X","date-range":{"start-datetime":"2025-12-03T00:00:00Z",
        "end-datetime":"2025-12-03T23:59:59Z"},"contact-info":"tls@company-x.example","report-id":"tls-7",
        "policies":[{"policy":{"policy-type":"no-policy-found","policy-domain":"example.org"},
        "summary":{"total-successful-session-count":12,"total-failure-session-count":1}}]}
        """
}
