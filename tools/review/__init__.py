"""What a reviewer reads: the exact manifests of a stack, offline (`render`), and their diffs (`diff`).

python -m tools.review <stack> [--out FILE]
python -m tools.review diff <stack> <stack> | diff <stack> --base REV [--head REV]
"""
