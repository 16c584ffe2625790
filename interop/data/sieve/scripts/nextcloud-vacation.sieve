### Nextcloud Mail: Vacation Responder ### DON'T EDIT ###
require "date";
require "relational";
require "vacation";
require "variables";
### Nextcloud Mail: Vacation Responder ### DON'T EDIT ###

require "fileinto";

if address "From" "marketing@company.org" {
    fileinto "INBOX.marketing";
}

### Nextcloud Mail: Vacation Responder ### DON'T EDIT ###
# DATA: {"version":1,"enabled":true,"start":"2022-09-02T00:00:00+01:00","subject":"Re: ${subject}","message":"I'm on vacation."}
set "subject" "";
if header :matches "subject" "*" {
	set "subject" "${1}";
}
if currentdate :value "ge" "iso8601" "2022-09-01T23:00:00Z" {
	vacation :days 4 :subject "Re: ${subject}" :addresses ["Rita Recipient <recipient@example.org>", "Test Alias <alias@example.org>"] "I'm on vacation.";
}
### Nextcloud Mail: Vacation Responder ### DON'T EDIT ###
