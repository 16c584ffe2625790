require ["fileinto"];
# rule:[not]
if not header :contains "from" "example.com"
{
	fileinto "INBOX.Other";
}
