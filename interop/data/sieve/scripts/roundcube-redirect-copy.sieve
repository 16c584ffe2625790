require ["copy"];
# rule:[forward]
if true
{
	redirect :copy "rita@example.net";
}
