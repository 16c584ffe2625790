require ["fileinto","vacation","date","relational"];
# rule:[Lists]
if allof (header :contains "list-id" "posta.lists.example.org")
{
	fileinto "INBOX.Lists";
	stop;
}
# rule:[spam]
if anyof (header :contains "subject" "[SPAM]", header :is "x-spam-flag" "YES")
{
	fileinto "Junk";
	stop;
}
# rule:[money]
if header :contains "subject" "money"
{
	fileinto "INBOX.Money";
}
