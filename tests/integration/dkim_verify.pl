#!/usr/bin/perl
# dkim_verify.pl - check every DKIM-Signature of a message with Mail::DKIM,
# keys from a test name server (the loopback unbound of smtp_lib.sh).
#
# usage: dkim_verify.pl [--resolv PATH | --dns ADDR] [--port N] [--count N] FILE
#   --resolv PATH  name server: the first "nameserver" line of PATH
#   --dns ADDR     name server address; --port N its port (default 53)
#   --count N      also require exactly N DKIM-Signature fields
#
# FILE may have LF or CR LF line ends (a LF without a CR before it becomes
# CR LF, as on the wire). One line per signature, top first:
#   sig N: d=DOMAIN s=SELECTOR a=ALG c=CANON: pass | fail (DETAIL) | skip (WHY)
# then "Mail::DKIM VERSION: P of N signatures pass, K skipped". A signature
# whose algorithm this Mail::DKIM cannot check (ed25519-sha256 before the
# release that added it) is skipped, named, and counts neither as a pass nor
# as a failure. Exit status: 0 when at least one signature was checked and
# every checked one passed (and --count holds), 1 when one failed or --count
# does not hold, 2 when nothing could be checked (no signature, or all
# skipped), 3 on a usage or file error.
use strict;
use warnings;
use Getopt::Long qw(GetOptionsFromArray);
use Mail::DKIM;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS::Resolver;

sub usage { print STDERR "dkim_verify.pl: $_[0]\n"; exit 3; }

my ($resolv, $server, $port, $count) = (undef, undef, 53, undef);
GetOptionsFromArray(\@ARGV, 'resolv=s' => \$resolv, 'dns=s' => \$server,
    'port=i' => \$port, 'count=i' => \$count) or usage("bad option");
@ARGV == 1 or usage("need exactly one FILE");
my $file = $ARGV[0];
if (defined $resolv) {
    open(my $rc, '<', $resolv) or usage("$resolv: $!");
    while (<$rc>) {
	if (/^\s*nameserver\s+(\S+)/) { $server = $1; last; }
    }
    close($rc);
}
defined $server or usage("no name server (--resolv or --dns)");
open(my $fh, '<:raw', $file) or usage("$file: $!");
my $data = do { local $/; <$fh> };
close($fh);
$data =~ s/(?<!\r)\n/\r\n/g;

# Only our server, and it answers for "test." itself (recursion is asked
# for; unbound's local zone answers either way).
my $res = Net::DNS::Resolver->new(nameservers => [$server], port => $port,
    recurse => 1, searchlist => [], defnames => 0, dnsrch => 0,
    udp_timeout => 5, tcp_timeout => 5, retry => 2);
Mail::DKIM::DNS::resolver($res);

# Which algorithms this Mail::DKIM can check: one module per algorithm.
sub supported {
    my ($alg) = @_;
    (my $mod = lc($alg)) =~ s/-/_/g;
    return 0 unless $mod =~ /^[a-z0-9_]+$/;
    return eval "require Mail::DKIM::Algorithm::$mod; 1" ? 1 : 0;
}

my $dkim = Mail::DKIM::Verifier->new();
$dkim->PRINT($data);
$dkim->CLOSE();

my ($n, $passed, $skipped, $failed) = (0, 0, 0, 0);
foreach my $sig ($dkim->signatures) {
    next if $sig->isa('Mail::DKIM::DkSignature');	# DomainKeys, not DKIM
    $n++;
    my $alg = $sig->algorithm // '?';
    my $label = sprintf("sig %d: d=%s s=%s a=%s c=%s", $n, $sig->domain // '?',
	$sig->selector // '?', $alg, $sig->canonicalization // 'simple/simple');
    if (!supported($alg)) {
	$skipped++;
	print "$label: skip ($alg not supported by Mail::DKIM $Mail::DKIM::VERSION)\n";
	next;
    }
    my $result = $sig->result // 'none';
    if ($result eq 'pass') {
	$passed++;
	print "$label: pass\n";
    } else {
	$failed++;
	my $detail = $sig->result_detail // $result;
	print "$label: fail ($detail)\n";
    }
}
print "Mail::DKIM $Mail::DKIM::VERSION: $passed of $n signatures pass, $skipped skipped\n";
if (defined $count && $n != $count) {
    print "Mail::DKIM: expected $count signatures, found $n\n";
    exit 1;
}
exit 1 if $failed;
exit 2 if $passed == 0;
exit 0;
