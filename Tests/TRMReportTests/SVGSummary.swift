// SVGSummary: an SVG checker built on Foundation's XMLParser.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What an SVG document contains, as parsed by XMLParser (so it is well-formed XML).
struct SVGSummary {
    var rootName = ""
    /// Count of elements by name ("path", "rect", ...).
    var elements: [String: Int] = [:]
    /// Count of elements by their class attribute ("series", "bar", ...).
    var classes: [String: Int] = [:]
    /// Every `id` attribute, in document order.
    var ids: [String] = []
    /// `d` attributes of paths with class "series".
    var seriesPaths: [String] = []
    /// All text content, concatenated.
    var text = ""

    /// Parses `svg`; nil when it is not well-formed XML.
    static func parse(_ svg: String) -> SVGSummary? {
        let delegate = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        return delegate.summary
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var summary = SVGSummary()

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            if summary.rootName.isEmpty { summary.rootName = elementName }
            summary.elements[elementName, default: 0] += 1
            if let cls = attributeDict["class"] { summary.classes[cls, default: 0] += 1 }
            if let id = attributeDict["id"] { summary.ids.append(id) }
            if elementName == "path", attributeDict["class"] == "series", let d = attributeDict["d"] {
                summary.seriesPaths.append(d)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            summary.text += string
        }
    }
}
