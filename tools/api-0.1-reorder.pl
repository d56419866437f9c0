#!/usr/bin/perl
# API 0.1.0 argument-order changes (issue 21 item 10), the part sed cannot do: rewrites every CALL
# of an old writer name into its new name with the new argument order, and the old
# (pointer, length) string inputs of skew_send / skew_ws_message into one skew_str. Idempotent:
# it matches old names, and skew_send / skew_ws_message only with their old four arguments.
# tools/api-0.1-rename.sh runs it (twice, for nested calls) after the sed renames; alone:
#     git ls-files '*.c' '*.h' '*.md' | xargs perl tools/api-0.1-reorder.pl
# Then build: a call it could not parse (unbalanced text) and a declaration keep their old name
# and fail to compile. skew_write_stats_sink also changed its output contract (skew_http_sink's:
# it returns the result, *out_len the bytes): a converted old call passes a skew_result * there
# and fails to compile, to be fixed by hand.
use strict;
use warnings;

# old name => [new name, new order as indexes into the old arguments]; "S a b" = skew_str_n(a, b)
my %map = (
    skew_json_escape             => ['skew_write_json_string',            [2, 0, 1]],
    skew_json_connected          => ['skew_write_connected',              [2, 3, 4, 0, 1]],
    skew_json_keepalive          => ['skew_write_keepalive',              [2, 0, 1]],
    skew_json_version            => ['skew_write_version',                [2, 3, 0, 1]],
    skew_json_stats              => ['skew_write_stats',                  [0, 3, 1, 2]],
    skew_json_stats_sink         => ['skew_write_stats_sink',             [0, 3, 4, 1, 2, 5]],
    skew_sse_frame               => ['skew_write_sse_frame',              ['S 2 3', 0, 1]],
    skew_cluster_snapshot        => ['skew_cluster_write_snapshot',       [0, 3, 1, 2]],
    skew_cluster_snapshot_listed => ['skew_cluster_write_snapshot_listed', [0, 3, 4, 1, 2]],
    skew_send                    => ['skew_send',                         [0, 1, 'S 2 3'], 4],
    skew_ws_message              => ['skew_ws_message',                   [0, 1, 'S 2 3'], 4],
);
my $names = join '|', sort { length $b <=> length $a } keys %map;
my $paren;
$paren = qr/\((?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^()"']++|(??{$paren}))*\)/s;

sub split_args {
    my ($s) = @_;
    my @a;
    while ($s =~ /\G((?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|$paren|[^(),"'])*)(,|\z)/gs) {
        push @a, $1;
        last if $2 eq '';
    }
    return @a;
}

sub convert {
    my ($name, $inner) = @_;
    my ($new, $order, $only) = @{$map{$name}};
    my @a = split_args($inner);
    my $want = 0;
    for (@$order) { $want += /^S/ ? 2 : 1 }
    return undef if @a != $want || ($only && @a != $only);
    return undef if grep { /^\s*(const\s+)?(char|size_t|skew_tracker|skew_str|uint64_t|uint32_t|skew_handle|skew_sink_fn|void|skew_result)\b[\s*]/ } @a; # a declaration, not a call
    my @lead = map { /^(\s*)/; $1 } @a;
    my @bare = map { my $x = $_; $x =~ s/^\s+|\s+$//g; $x } @a;
    my @out;
    for my $i (0 .. $#$order) {
        my $o = $order->[$i];
        my $v = $o =~ /^S (\d+) (\d+)$/ ? "skew_str_n($bare[$1], $bare[$2])" : $bare[$o];
        push @out, ($lead[$i] // ' ') . $v;
    }
    $out[0] =~ s/^\s+// if $a[0] !~ /^\s/;
    return "$new(" . join(',', @out) . ")";
}

for my $f (@ARGV) {
    open my $fh, '<', $f or die "$f: $!";
    local $/;
    my $text = <$fh>;
    close $fh;
    my $orig = $text;
    $text =~ s{\b($names)\s*($paren)}{
        my ($n, $p) = ($1, $2);
        my $r = convert($n, substr($p, 1, -1));
        defined $r ? $r : "$n$p";
    }ge;
    # the old writer names in prose (not followed by an argument list): the new names
    $text =~ s{\b($names)\b(?!\s*\()}{$map{$1}[0]}g;
    if ($text ne $orig) {
        open my $out, '>', $f or die "$f: $!";
        print $out $text;
        close $out;
        print "reordered in $f\n";
    }
}
