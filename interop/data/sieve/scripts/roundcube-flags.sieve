require ["imap4flags"];
# rule:[flag]
if header :contains "subject" "report"
{
	addflag "\\Flagged";
}
