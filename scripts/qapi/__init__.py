# SPDX-License-Identifier: GPL-2.0-or-later
"""QAPI schema parser and code generators for Vireo."""
