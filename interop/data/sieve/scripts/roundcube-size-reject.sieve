require ["reject"];
# rule:[big]
if size :over 100K
{
	reject "Too big";
	stop;
}
